// An admin manages the collector from an enrolled device (tsunagi admin ...): users and their enrollment codes,
// devices, reference data. The collector decides who may, on every request: staff and supervisors are refused.
#include "tests/sync/sync_fixture.hpp"

namespace tsunagi::sync_tests {
namespace {

using testing::CollectorProcess;

Laptop enrolled(SyncFixture& fixture, const std::string& folder, const std::string& line) {
  Laptop device = fixture.laptop(folder);
  auto result = device.enroll(line);
  INFO(describe(result));
  REQUIRE(result.exit_code == 0);
  return device;
}

testing::ProcessResult admin_command(const Laptop& device, std::vector<std::string> words) {
  words.insert(words.begin(), "admin");
  return device.tsunagi(words);
}

json admin_json(const Laptop& device, const std::vector<std::string>& words) {
  std::vector<std::string> with_format = words;
  with_format.insert(with_format.end(), {"--format", "json"});
  auto result = admin_command(device, with_format);
  INFO(describe(result));
  REQUIRE(result.exit_code == 0);
  return json::parse(result.out);
}

// The answers' entry whose `key` is `value`, or null.
json entry_with(const json& entries, const std::string& key, const std::string& value) {
  for (const json& entry : entries)
    if (entry.value(key, "") == value) return entry;
  return nullptr;
}

void check_refused(const testing::ProcessResult& result) {
  INFO(describe(result));
  CHECK(result.exit_code == 1);
  CHECK(contains(result.err, "[auth.admin]"));
  CHECK(contains(result.err, "only an admin manages users, devices and reference data"));
  CHECK(result.out.empty());
}

}  // namespace

TEST_CASE_METHOD(SyncFixture,
                 "an admin's device adds users, issues codes, revokes devices and imports reference data, and staff "
                 "and supervisors are refused",
                 "[sync][admin]") {
  Laptop office = enrolled(*this, "admin", add_user("システム 管理者", "admin"));

  // A new member of staff, added from the admin's laptop: the line it prints enrolls their laptop.
  auto added = admin_command(office, {"user", "add", "--name", "佐藤 花子", "--role", "staff", "--team", "東区"});
  INFO(describe(added));
  REQUIRE(added.exit_code == 0);
  CHECK(contains(added.out, "user    佐藤 花子 (staff)"));
  CHECK(contains(added.out, "server  " + collector->url()));
  CHECK(contains(added.out, "pin     " + collector->pin()));
  Laptop sato = enrolled(*this, "sato", CollectorProcess::enrollment_line(added, "admin user add"));
  REQUIRE(sato.sync().exit_code == 0);

  json users = admin_json(office, {"user", "list"}).at("users");
  json sato_user = entry_with(users, "name", "佐藤 花子");
  REQUIRE(sato_user.is_object());
  CHECK(sato_user.at("role") == "staff");
  CHECK(sato_user.at("team") == "東区");
  CHECK(contains(admin_command(office, {"user", "list"}).out, "team=東区"));
  // She joins the reference data's staff list, in her team's area, so that every device's team filter finds her,
  // and stays there when the office imports its reference file again in place of what was there.
  const std::string staff_team = "SELECT json_extract(s.value, '$.team') FROM reference_data, json_each(doc, '$.staff') s "
                                 "WHERE json_extract(s.value, '$.name') = '佐藤 花子'";
  CHECK(database().column(staff_team) == std::vector<std::string>{"higashi"});
  REQUIRE(admin_command(office, {"reference", "import", "--replace", std::string(TSUNAGI_REFERENCE_FILE)}).exit_code == 0);
  CHECK(database().column(staff_team) == std::vector<std::string>{"higashi"});

  // A supervisor of one council: the council is stored by its id, whatever name the admin typed.
  const std::string reference_dir = fs::path(TSUNAGI_REFERENCE_FILE).parent_path().string();
  auto imported = admin_command(office, {"reference", "import", reference_dir + "/kodama.json"});
  INFO(describe(imported));
  REQUIRE(imported.exit_code == 0);
  CHECK(contains(imported.out, "now 2 councils"));
  CHECK(database().integer("SELECT json_array_length(doc, '$.councils') FROM reference_data") == 2);
  auto head = admin_command(office, {"user", "add", "--name", "児玉 課長", "--role", "supervisor", "--council",
                                     "児玉郡市自立支援協議会"});
  INFO(describe(head));
  REQUIRE(head.exit_code == 0);
  CHECK(entry_with(admin_json(office, {"user", "list"}).at("users"), "name", "児玉 課長").at("council") == "kodama");
  // A committee name two councils share is still one the reference data knows.
  auto member = admin_command(office, {"user", "add", "--name", "児玉 委員", "--committee", "相談支援部会"});
  INFO(describe(member));
  CHECK(member.exit_code == 0);
  Laptop kodama = enrolled(*this, "kodama-head", CollectorProcess::enrollment_line(head, "admin user add"));

  // Nobody else may: each refusal leaves the collector as it was.
  const long long users_before = database().integer("SELECT count(*) FROM users");
  const long long codes_before = database().integer("SELECT count(*) FROM enrollment_codes");
  for (const Laptop* other : {&sato, &kodama}) {
    check_refused(admin_command(*other, {"user", "list"}));
    check_refused(admin_command(*other, {"user", "add", "--name", "なりすまし", "--role", "admin"}));
    check_refused(admin_command(*other, {"user", "code", "--name", "システム 管理者"}));
    check_refused(admin_command(*other, {"device", "list"}));
    check_refused(admin_command(*other, {"reference", "import", "--replace", std::string(TSUNAGI_REFERENCE_FILE)}));
  }
  CHECK(database().integer("SELECT count(*) FROM users") == users_before);
  CHECK(database().integer("SELECT count(*) FROM enrollment_codes") == codes_before);
  CHECK(database().integer("SELECT json_array_length(doc, '$.councils') FROM reference_data") == 2);

  // The laptop is lost: the admin revokes it, and its token stops working at once.
  json devices = admin_json(office, {"device", "list"}).at("devices");
  json lost = entry_with(devices, "user", "佐藤 花子");
  REQUIRE(lost.is_object());
  CHECK(lost.at("revoked_at") == "");
  check_refused(admin_command(kodama, {"device", "revoke", lost.at("id").get<std::string>()}));
  auto revoked = admin_command(office, {"device", "revoke", lost.at("id").get<std::string>()});
  INFO(describe(revoked));
  REQUIRE(revoked.exit_code == 0);
  CHECK(trimmed(revoked.out) == "revoked " + lost.at("id").get<std::string>());
  auto refused_sync = sato.sync();
  CHECK(refused_sync.exit_code == 3);
  CHECK(entry_with(admin_json(office, {"device", "list"}).at("devices"), "user", "佐藤 花子").at("revoked_at") != "");

  // Her new laptop enrolls with a new code from the admin's laptop, and syncs.
  auto code = admin_command(office, {"user", "code", "--name", "佐藤 花子", "--expires", "1"});
  INFO(describe(code));
  REQUIRE(code.exit_code == 0);
  CHECK(contains(code.out, "expires in 1 hours"));
  Laptop replacement = enrolled(*this, "sato-new", CollectorProcess::enrollment_line(code, "admin user code"));
  CHECK(replacement.sync().exit_code == 0);
}

TEST_CASE_METHOD(SyncFixture, "admin requests with bad input are refused with a clear error and change nothing",
                 "[sync][admin]") {
  Laptop office = enrolled(*this, "admin", add_user("システム 管理者", "admin"));
  auto enrollment = sync::load_enrollment(office.data());
  REQUIRE(enrollment);
  REQUIRE(*enrollment);
  auto transport = this->transport();
  auto send = [&](const char* path, const std::string& body) {
    auto response = transport->send({"POST", path, body, (*enrollment)->token});
    REQUIRE(response);
    json answer = json::parse(response->body, nullptr, false);
    return std::make_pair(response->status, answer);
  };
  auto refused = [&](const char* path, const std::string& body, int status, const std::string& code,
                     const std::string& where) {
    INFO(path << " " << body);
    auto [got, answer] = send(path, body);
    CHECK(got == status);
    CHECK(answer["error"]["code"] == code);
    CHECK(answer["error"]["path"] == where);
  };
  const long long users = database().integer("SELECT count(*) FROM users");
  refused(sync::kAdminUserAddPath, "{}", 400, "user.name", "/name");
  refused(sync::kAdminUserAddPath, R"({"name": 5})", 400, "json.type", "/name");
  refused(sync::kAdminUserAddPath, R"({"name": "x", "committees": "運営会議"})", 400, "json.type", "/committees");
  refused(sync::kAdminUserAddPath, R"({"name": "x", "role": "boss"})", 400, "user.role", "/role");
  refused(sync::kAdminUserAddPath, R"({"name": "x", "council": "どこにもない協議会"})", 400, "user.council",
          "/council");
  refused(sync::kAdminUserAddPath, R"({"name": "x", "team": "存在しない区"})", 400, "user.team", "/team");
  refused(sync::kAdminUserAddPath, R"({"name": "x", "committees": ["相談支援部会", "存在しない部会"]})", 400,
          "user.committee", "/committees/1");
  refused(sync::kAdminUserAddPath, R"({"name": "x", "expires_hours": 100000})", 400, "user.expires",
          "/expires_hours");
  refused(sync::kAdminUserAddPath, R"({"name": "x", "password": "y"})", 400, "protocol.member", "/password");
  refused(sync::kAdminUserAddPath, R"({"name": "システム 管理者"})", 409, "user.exists", "/name");
  refused(sync::kAdminUserAddPath, "[1]", 400, "json.type", "/");
  refused(sync::kAdminUserAddPath, "{\"name\": \"\xff\"}", 400, "utf8.invalid", "");
  CHECK(database().integer("SELECT count(*) FROM users") == users);

  refused(sync::kAdminUserCodePath, R"({"name": "いない人"})", 404, "user.not_found", "/name");
  refused(sync::kAdminDeviceRevokePath, R"({"device_id": "no-such-device"})", 404, "device.not_found", "");
  refused(sync::kAdminDeviceRevokePath, R"({})", 400, "json.type", "/device_id");
  refused(sync::kAdminUsersPath, R"({"all": true})", 400, "protocol.member", "/all");

  const std::string reference = database().column("SELECT doc FROM reference_data").at(0);
  refused(sync::kAdminReferencePath, R"({"reference": "default.json"})", 400, "json.type", "/reference");
  refused(sync::kAdminReferencePath, R"({"reference": {"councils": 5}})", 400, "json.type", "/councils");
  refused(sync::kAdminReferencePath, R"({"reference": {}, "replace": "yes"})", 400, "json.type", "/replace");
  refused(sync::kAdminReferencePath, R"({"reference": {"records": []}, "replace": true})", 400, "reference.empty", "");
  CHECK(database().column("SELECT doc FROM reference_data").at(0) == reference);

  // A wrong token is refused before anything is read.
  auto response = transport->send({"POST", sync::kAdminUsersPath, "{}", "not-a-token"});
  REQUIRE(response);
  CHECK(response->status == 401);
}

}  // namespace tsunagi::sync_tests
