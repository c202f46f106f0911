// What the collector refuses and how `tsunagi` says so: a wrong or revoked token (exit 3), an expired code (exit 3,
// naming the expiry), a certificate that is not the pinned one (exit 5), repeated wrong codes (429), and what a
// device says when the collector is unreachable (exit 2) or it was never enrolled (exit 3).
#include "sync/tls.hpp"
#include "tests/sync/sync_fixture.hpp"

namespace tsunagi::sync_tests {
namespace {

// `line` with its pin replaced by the pin of a certificate the collector does not have.
std::string with_foreign_pin(const std::string& line) {
  auto identity = sync::generate_self_signed({"localhost", "127.0.0.1"});
  REQUIRE(identity);
  auto pin = sync::public_key_pin(identity->certificate_pem);
  REQUIRE(pin);
  auto parsed = sync::parse_enrollment_line(line);
  REQUIRE(parsed);
  REQUIRE(*pin != parsed->pin);
  return sync::format_enrollment_line({parsed->server, parsed->code, *pin});
}

// An enrolled laptop that has synced once.
Laptop enrolled_laptop(SyncFixture& fixture, const std::string& folder, const std::string& user) {
  Laptop device = fixture.laptop(folder);
  auto enrolled = device.enroll(fixture.add_user(user, "staff", "東区"));
  INFO(describe(enrolled));
  REQUIRE(enrolled.exit_code == 0);
  auto synced = device.sync();
  INFO(describe(synced));
  REQUIRE(synced.exit_code == 0);
  return device;
}

}  // namespace

TEST_CASE_METHOD(SyncFixture, "a wrong token is refused: tsunagi sync exits 3", "[sync][refused]") {
  Laptop device = enrolled_laptop(*this, "laptop", "佐藤 花子");
  device.edit_enrollment("token", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
  auto synced = device.sync();
  INFO(describe(synced));
  CHECK(synced.exit_code == 3);
  CHECK(contains(synced.err, "auth.token"));
}

TEST_CASE_METHOD(SyncFixture, "a revoked device is refused on its next sync: exit 3", "[sync][refused]") {
  Laptop device = enrolled_laptop(*this, "laptop", "佐藤 花子");
  std::string device_id = device.enrollment_file().at("device_id");
  auto listed = admin({"device", "list"});
  REQUIRE(listed.exit_code == 0);
  REQUIRE(contains(listed.out, device_id));

  auto revoked = admin({"device", "revoke", device_id});
  INFO(describe(revoked));
  REQUIRE(revoked.exit_code == 0);
  CHECK(contains(admin({"device", "list"}).out, "REVOKED"));

  device.add_record(case_review_json("失効後の記録", "東区"));
  auto synced = device.sync();
  INFO(describe(synced));
  CHECK(synced.exit_code == 3);
  CHECK(contains(synced.err, "auth.token"));
  CHECK(database().integer("SELECT count(*) FROM records") == 0);
}

TEST_CASE_METHOD(SyncFixture, "an expired enrollment code: tsunagi enroll exits 3 and names the expiry",
                 "[sync][refused]") {
  std::string line = add_user("佐藤 花子", "staff", "東区", {"--expires", "0"});
  std::this_thread::sleep_for(5ms);
  Laptop device = laptop("laptop");
  auto enrolled = device.enroll(line);
  INFO(describe(enrolled));
  CHECK(enrolled.exit_code == 3);
  CHECK(contains(enrolled.err, "expired"));
  CHECK(contains(enrolled.err, "enroll.expired"));
  CHECK_FALSE(fs::exists(device.data() / "enrollment.json"));
}

TEST_CASE_METHOD(SyncFixture, "a certificate that is not the pinned one: exit 5", "[sync][refused][pin]") {
  std::string line = add_user("佐藤 花子", "staff", "東区");
  Laptop device = laptop("laptop");

  SECTION("at enrollment, the line's pin is another certificate's") {
    auto enrolled = device.enroll(with_foreign_pin(line));
    INFO(describe(enrolled));
    CHECK(enrolled.exit_code == 5);
    CHECK(contains(enrolled.err, "tls.pin_mismatch"));
    CHECK_FALSE(fs::exists(device.data() / "enrollment.json"));
    // The code never reached the collector, so it still works with the right pin.
    auto retried = device.enroll(line);
    INFO(describe(retried));
    CHECK(retried.exit_code == 0);
  }
  SECTION("at sync, enrollment.json's pin was changed") {
    auto enrolled = device.enroll(line);
    INFO(describe(enrolled));
    REQUIRE(enrolled.exit_code == 0);
    REQUIRE(device.sync().exit_code == 0);
    auto foreign = sync::parse_enrollment_line(with_foreign_pin(line));
    REQUIRE(foreign);
    device.edit_enrollment("pin", foreign->pin);
    device.add_record(case_review_json("ピン不一致の確認", "東区"));
    auto synced = device.sync();
    INFO(describe(synced));
    CHECK(synced.exit_code == 5);
    CHECK(contains(synced.err, "tls.pin_mismatch"));
    CHECK(database().integer("SELECT count(*) FROM records") == 0);
  }
}

TEST_CASE_METHOD(SyncFixture, "a key rotation: laptops that synced since key next follow it without enrolling again",
                 "[sync][pin]") {
  std::string line = add_user("佐藤 花子", "staff", "東区");
  Laptop synced = laptop("synced");
  Laptop away = laptop("away");  // enrolled, then not synced until after the rotation
  REQUIRE(synced.enroll(line).exit_code == 0);
  REQUIRE(away.enroll(add_user("鈴木 一郎", "staff", "東区")).exit_code == 0);
  const std::string old_pin = collector->pin();

  auto rotated_early = collector->admin({"key", "rotate"});
  CHECK(rotated_early.exit_code == 1);
  CHECK(contains(rotated_early.err, "tls.no_next"));
  auto next = collector->admin({"key", "next"});
  INFO(describe(next));
  REQUIRE(next.exit_code == 0);
  const auto at = next.out.find("next pin ");
  REQUIRE(at != std::string::npos);
  const std::string next_pin = next.out.substr(at + 9, next.out.find('\n', at) - at - 9);
  REQUIRE(next_pin.rfind("sha256//", 0) == 0);
  CHECK(next_pin != old_pin);
  CHECK(contains(collector->admin({"key", "next"}).err, "tls.next_exists"));  // one waits at a time

  collector->restart();  // its answers now name the next key too
  CHECK(collector->pin() == old_pin);
  Laptop late = laptop("late");  // enrolled while the next key waits: accepts both from the start
  REQUIRE(late.enroll(add_user("高橋 三郎", "staff", "東区")).exit_code == 0);
  CHECK(late.enrollment_file().at("pin") == old_pin + ";" + next_pin);
  auto learned = synced.sync();
  INFO(describe(learned));
  REQUIRE(learned.exit_code == 0);
  CHECK(synced.enrollment_file().at("pin") == old_pin + ";" + next_pin);
  // The admin sees which laptops have synced since, a pull with nothing to send included.
  const std::string devices = collector->admin({"device", "list"}).out;
  CHECK(contains(devices, "last seen -"));  // away
  CHECK(contains(devices, "last seen 20"));  // synced

  REQUIRE(collector->admin({"key", "rotate"}).exit_code == 0);
  collector->restart();
  CHECK(collector->pin() == next_pin);
  synced.add_record(case_review_json("鍵の切り替え後の記録", "東区"));
  auto after = synced.sync();
  INFO(describe(after));
  CHECK(after.exit_code == 0);
  CHECK(synced.enrollment_file().at("pin") == next_pin);  // the old key is no longer accepted
  CHECK(database().integer("SELECT count(*) FROM records") == 1);
  CHECK(fs::exists(collector_dir() / "previous-key.pem"));
  CHECK(late.sync().exit_code == 0);

  away.add_record(case_review_json("切り替えを知らない端末", "東区"));
  auto refused = away.sync();
  INFO(describe(refused));
  CHECK(refused.exit_code == 5);
  CHECK(contains(refused.err, "tls.pin_mismatch"));
}

TEST_CASE_METHOD(SyncFixture, "wrong enrollment codes slow down that code and, many, that address, not an office",
                 "[sync][refused]") {
  std::string line = add_user("佐藤 花子", "staff", "東区");
  auto parsed = sync::parse_enrollment_line(line);
  REQUIRE(parsed);
  auto transport = this->transport();
  auto enroll = [&](const std::string& code) {
    auto answer = transport->send({"POST", sync::kEnrollPath, json{{"code", code}}.dump(), ""});
    REQUIRE(answer);
    return *answer;
  };
  auto slowed_down = [](const sync::HttpResponse& answer) {
    INFO(answer.body);
    CHECK(answer.status == 429);
    CHECK_FALSE(answer.retry_after.empty());
    CHECK(json::parse(answer.body).at("error").at("code") == "enroll.slow_down");
  };

  // One line pasted wrong again and again: the sixth try of that code is turned away, through the real client too.
  Laptop device = laptop("laptop");
  const std::string wrong_code = "K7Q2-M9XD-4PRT-WZ3H-8B5N";
  std::string wrong = sync::format_enrollment_line({parsed->server, wrong_code, parsed->pin});
  for (int attempt = 1; attempt <= 5; ++attempt) {
    auto enrolled = device.enroll(wrong);
    INFO("attempt " << attempt << "\n" << describe(enrolled));
    CHECK(enrolled.exit_code == 3);
    CHECK(contains(enrolled.err, "enroll.invalid"));
  }
  slowed_down(enroll(wrong_code));
  auto refused = device.enroll(wrong);
  INFO(describe(refused));
  CHECK(refused.exit_code == 3);
  CHECK(contains(refused.err, "enroll.slow_down"));

  // A colleague behind the same address enrolls with a right code all the same.
  auto enrolled = device.enroll(line);
  INFO(describe(enrolled));
  CHECK(enrolled.exit_code == 0);

  // Many different wrong codes from one address (guessing): after 20, even a right code waits.
  std::string second = add_user("鈴木 一郎", "staff", "東区");
  auto second_code = sync::parse_enrollment_line(second)->code;
  for (int attempt = 6; attempt <= 20; ++attempt) {  // 5 wrong already, 15 more
    std::string guess = "K7Q2-M9XD-4PRT-WZ3H-" + std::string(4 - std::to_string(attempt).size(), '0') +
                        std::to_string(attempt);
    INFO("guess " << guess);
    CHECK(enroll(guess).status == 401);
  }
  slowed_down(enroll(second_code));
  CHECK(database().integer("SELECT count(*) FROM devices") == 1);
}

TEST_CASE_METHOD(SyncFixture, "offline: tsunagi sync exits 2 and says how many changes wait", "[sync][offline]") {
  Laptop device = enrolled_laptop(*this, "laptop", "佐藤 花子");
  collector->stop();
  for (int i = 1; i <= 3; ++i) device.add_record(case_review_json("オフラインの記録 " + std::to_string(i), "東区"));
  auto started = std::chrono::steady_clock::now();
  auto synced = device.sync();
  INFO(describe(synced));
  CHECK(synced.exit_code == 2);
  CHECK(contains(synced.err, "3 changes stay on this device"));
  CHECK(std::chrono::steady_clock::now() - started < 30s);  // it gives up in bounded time
  // In Japanese: the collector is not answering (not "offline": the network works), in Japanese only.
  auto japanese = device.tsunagi({"sync", "--lang", "ja"});
  INFO(describe(japanese));
  CHECK(japanese.exit_code == 2);
  CHECK(contains(japanese.err, "未送信 3 件は端末に残り"));
  CHECK(contains(japanese.err, "集約サーバーが接続を拒否しました"));
  CHECK_FALSE(contains(japanese.err, "オフライン"));
  CHECK_FALSE(contains(japanese.err, "Failed to connect"));  // libcurl's English stays in the English text
}

TEST_CASE_METHOD(SyncFixture, "not enrolled: tsunagi sync exits 3 and says how to enroll", "[sync][offline]") {
  Laptop device = laptop("laptop");
  device.add_record(case_review_json("未登録の端末の記録", "東区"));
  auto synced = device.sync();
  INFO(describe(synced));
  CHECK(synced.exit_code == 3);
  CHECK(contains(synced.err, "not enrolled"));
  CHECK(contains(synced.err, "tsunagi enroll"));
  CHECK(contains(synced.err, "1 changes wait"));
}

}  // namespace tsunagi::sync_tests
