#include "collector/admin.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "collector/server.hpp"
#include "model/ids.hpp"
#include "model/json_text.hpp"
#include "model/record_json.hpp"
#include "sync/protocol.hpp"
#include "sync/tls.hpp"

namespace tsunagi::sync {

namespace {

using nlohmann::json;

constexpr double kMaxCodeHours = 24 * 365;

Error bad_member(const std::string& key, const std::string& what, const std::string& what_ja) {
  return make_error("json.type", "/" + key, what, what_ja);
}

// The request's members, each checked for its type; anything else in the body is refused.
class Members {
 public:
  Members(const json& body, std::set<std::string> allowed) : body_(body), allowed_(std::move(allowed)) {}

  std::optional<Error> unknown() const {
    if (!body_.is_object()) return make_error("json.type", "", "expected a JSON object", "JSONオブジェクトが必要です");
    for (const auto& [key, value] : body_.items())
      if (!allowed_.count(key))
        return make_error("protocol.member", "/" + key, "not a member of this request", "この要求にない項目です");
    return std::nullopt;
  }
  Result<std::string> text(const std::string& key) const {
    auto found = body_.find(key);
    if (found == body_.end() || found->is_null()) return std::string();
    if (!found->is_string()) return bad_member(key, "expected text", "文字列が必要です");
    return found->get<std::string>();
  }
  Result<std::vector<std::string>> texts(const std::string& key) const {
    std::vector<std::string> values;
    auto found = body_.find(key);
    if (found == body_.end() || found->is_null()) return values;
    if (!found->is_array()) return bad_member(key, "expected a list of text", "文字列の配列が必要です");
    for (const auto& value : *found) {
      if (!value.is_string()) return bad_member(key, "expected a list of text", "文字列の配列が必要です");
      values.push_back(value.get<std::string>());
    }
    return values;
  }
  Result<double> number(const std::string& key, double otherwise) const {
    auto found = body_.find(key);
    if (found == body_.end() || found->is_null()) return otherwise;
    if (!found->is_number()) return bad_member(key, "expected a number", "数値が必要です");
    return found->get<double>();
  }
  Result<bool> flag(const std::string& key) const {
    auto found = body_.find(key);
    if (found == body_.end() || found->is_null()) return false;
    if (!found->is_boolean()) return bad_member(key, "expected true or false", "true か false が必要です");
    return found->get<bool>();
  }
  const json* object(const std::string& key) const {
    auto found = body_.find(key);
    return found == body_.end() ? nullptr : &*found;
  }

 private:
  const json& body_;
  std::set<std::string> allowed_;
};

json user_json(const User& user) {
  return {{"id", user.id},
          {"name", user.name},
          {"role", std::string(role_name(user.role))},
          {"team", user.team},
          {"committees", user.committees},
          {"council", user.council},
          {"created_at", user.created_at}};
}

Status check_expiry(double hours) {
  // (0 or less makes a code that has expired already: how a test shows the refusal.)
  if (!std::isfinite(hours) || hours > kMaxCodeHours)
    return make_error("user.expires", "/expires_hours", "a code lasts at most 8760 hours (a year)",
                      "登録コードの有効期間は 8760 時間（1年）以内です");
  return ok_status();
}

// Stores a new code for `user` and says so as the admin commands answer.
Result<json> issue_code(CollectorStore& store, const User& user, double hours, const std::string& pin) {
  if (auto valid = check_expiry(hours); !valid) return valid.error();
  const std::string code = new_enrollment_code();
  const auto expires = now_unix_ms() + static_cast<std::int64_t>(hours * 3600 * 1000);
  if (auto status = store.add_enrollment_code(user.id, sha256_hex(canonical_enrollment_code(code)), expires); !status)
    return status.error();
  return json{{"user", user_json(user)},
              {"code", code},
              {"expires_hours", hours},
              {"expires_at", iso8601_of_unix_ms(expires)},
              {"pin", pin}};
}

Result<ReferenceData> stored_reference(const std::string& document) {
  if (document.empty()) return ReferenceData{};
  auto parsed = parse_json_text(document);
  if (!parsed) return parsed.error().with_context("stored reference data");
  auto stored = reference_from_json(*parsed);
  if (!stored) return stored.error().with_context("stored reference data");
  return stored;
}

json reference_counts(const ReferenceData& reference) {
  return {{"councils", reference.councils.size()},
          {"themes", reference.themes.size()},
          {"areas", reference.areas.size()},
          {"committees", reference.committees.size()},
          {"organizations", reference.organizations.size()},
          {"staff", reference.staff.size()},
          {"work_items", reference.work_items.size()},
          {"projects", reference.projects.size()}};
}

// Puts each user with a team into `reference`'s staff list (unless someone of that name is there already), so that
// every device's team filter and a team's supervisor know whose records are the team's. True when any was added.
bool list_in_staff(ReferenceData& reference, const std::vector<User>& users) {
  bool added = false;
  for (const User& user : users) {
    if (user.team.empty() || user.role == Role::Admin) continue;
    if (std::any_of(reference.staff.begin(), reference.staff.end(),
                    [&user](const StaffMember& member) { return member.name == user.name; }))
      continue;
    const std::string team = reference.resolve(ReferenceKind::Area, user.team).value_or(user.team);
    reference.staff.push_back({"user." + user.id, user.name, std::string(role_name(user.role)), team,
                               reference.council_of(ReferenceKind::Area, team)});
    added = true;
  }
  if (added) reference.reindex();
  return added;
}

Status list_in_staff(CollectorStore& store, const User& user) {
  if (user.team.empty() || user.role == Role::Admin) return ok_status();
  return store.update_reference([&user](const std::string& current) -> Result<std::string> {
    auto reference = stored_reference(current);
    if (!reference) return reference.error();
    if (!list_in_staff(*reference, {user})) return current;
    return to_json_text(reference_to_json(*reference));
  });
}

}  // namespace

Error admin_only() {
  return make_error("auth.admin", "", "only an admin manages users, devices and reference data",
                    "利用者・端末・参照データの管理はシステム管理者だけが行えます");
}

Result<json> add_user_with_code(CollectorStore& store, const NewUser& given, const std::string& pin) {
  User user;
  user.name = given.name;
  if (user.name.empty()) return make_error("user.name", "/name", "a user needs a name", "利用者の名前が必要です");
  auto role = parse_role(given.role);
  if (!role)
    return make_error("user.role", "/role", "a role is staff, supervisor or admin, not \"" + given.role + "\"",
                      "役割は staff・supervisor・admin のどれかです（「" + given.role + "」ではありません）");
  user.role = *role;
  user.team = given.team;
  user.committees = given.committees;
  if (auto valid = check_expiry(given.expires_hours); !valid) return valid.error();
  // A team, committee or council the reference data does not know would quietly show the user the wrong records.
  auto document = store.reference_document();
  if (!document) return document.error();
  auto reference = stored_reference(*document);
  if (!reference) return reference.error();
  auto unknown = [&](ReferenceKind kind, const std::string& value, const char* code, const std::string& path,
                     const char* what, const char* what_ja) -> std::optional<Error> {
    // Known by any council (a name two councils share, 相談支援部会, is still a name the data knows).
    if (value.empty() || !reference->has_any(kind) || !reference->matching_ids(kind, value).empty())
      return std::nullopt;
    std::string nearest;
    for (const std::string& name : reference->nearest_names(kind, value))
      nearest += (nearest.empty() ? "" : "、") + name;
    return make_error(code, path,
                      std::string("no ") + what + " \"" + value + "\" in the reference data" +
                          (nearest.empty() ? "" : " (nearest: " + nearest + ")"),
                      std::string("参照データに") + what_ja + "「" + value + "」がありません" +
                          (nearest.empty() ? "" : "（近いもの: " + nearest + "）"));
  };
  if (auto error = unknown(ReferenceKind::Area, user.team, "user.team", "/team", "area", "地域")) return *error;
  for (std::size_t i = 0; i < user.committees.size(); ++i)
    if (auto error = unknown(ReferenceKind::Committee, user.committees[i], "user.committee",
                             "/committees/" + std::to_string(i), "committee", "会議体"))
      return *error;
  if (!given.council.empty()) {
    auto id = reference->resolve(ReferenceKind::Council, given.council);
    if (!id)
      return make_error("user.council", "/council", "no council \"" + given.council + "\" in the reference data",
                        "参照データに協議会「" + given.council + "」がありません");
    user.council = *id;
  }
  auto added = store.add_user(user);
  if (!added) return added.error();
  if (auto listed = list_in_staff(store, *added); !listed) return listed.error();
  return issue_code(store, *added, given.expires_hours, pin);
}

Result<json> new_enrollment_code_for(CollectorStore& store, const std::string& name, double expires_hours,
                                     const std::string& pin) {
  auto users = store.users();
  if (!users) return users.error();
  for (const User& user : *users)
    if (user.name == name) return issue_code(store, user, expires_hours, pin);
  return make_error("user.not_found", "/name", "no user named " + name, "利用者「" + name + "」はいません");
}

Result<json> list_users(IdentityStore& store) {
  auto users = store.users();
  if (!users) return users.error();
  json list = json::array();
  for (const User& user : *users) list.push_back(user_json(user));
  return json{{"users", std::move(list)}};
}

Result<json> list_devices(IdentityStore& store) {
  auto devices = store.devices();
  if (!devices) return devices.error();
  json list = json::array();
  for (const Device& d : *devices)
    list.push_back({{"id", d.id},
                    {"user_id", d.user_id},
                    {"user", d.user_name},
                    {"name", d.name},
                    {"enrolled_at", d.enrolled_at},
                    {"last_seen", d.last_seen},
                    {"revoked_at", d.revoked_at}});
  return json{{"devices", std::move(list)}};
}

Result<json> import_reference(CollectorStore& store, const ReferenceData& added, bool replace) {
  // A file of something else (records, say) reads as reference data with nothing in it: say so instead of
  // importing nothing (or, with --replace, wiping what is there).
  if (added.councils.empty() && added.themes.empty() && added.areas.empty() && added.committees.empty() &&
      added.organizations.empty() && added.staff.empty() && added.work_items.empty() && added.projects.empty() &&
      added.indicators.empty())
    return make_error(
        "reference.empty", "",
        "the file holds no reference data (councils, themes, areas, committees, organizations, staff, "
        "work_items, projects, indicators)",
        "参照データ（協議会・テーマ・地域・会議体・事業所・職員・事業項目・事業・指標）が含まれていません");
  ReferenceData now;
  auto status = store.update_reference([&](const std::string& current) -> Result<std::string> {
    if (replace) {
      now = added;
      // The collector's users stay on the staff list a replaced file does not hold.
      auto users = store.users();
      if (!users) return users.error();
      list_in_staff(now, *users);
    } else {
      auto stored = stored_reference(current);
      if (!stored) return stored.error();
      now = merge_reference(std::move(*stored), added);
    }
    return to_json_text(reference_to_json(now));
  });
  if (!status) return status.error();
  return json{{"added", reference_counts(added)}, {"now", reference_counts(now)}};
}

Result<json> run_admin_request(CollectorStore& store, const std::string& path, const json& body,
                               const std::string& pin) {
  auto members = [&body](std::set<std::string> allowed) { return Members(body, std::move(allowed)); };
  if (path == kAdminUsersPath || path == kAdminDevicesPath) {
    if (auto refused = members({}).unknown()) return *refused;
    return path == kAdminUsersPath ? list_users(store) : list_devices(store);
  }
  if (path == kAdminUserAddPath) {
    const Members m = members({"name", "role", "team", "committees", "council", "expires_hours"});
    if (auto refused = m.unknown()) return *refused;
    NewUser user;
    for (auto [key, field] : {std::pair{"name", &user.name}, std::pair{"role", &user.role},
                              std::pair{"team", &user.team}, std::pair{"council", &user.council}}) {
      auto value = m.text(key);
      if (!value) return value.error();
      if (!value->empty()) *field = std::move(*value);
    }
    auto committees = m.texts("committees");
    if (!committees) return committees.error();
    user.committees = std::move(*committees);
    auto hours = m.number("expires_hours", NewUser::kDefaultCodeHours);
    if (!hours) return hours.error();
    user.expires_hours = *hours;
    return add_user_with_code(store, user, pin);
  }
  if (path == kAdminUserCodePath) {
    const Members m = members({"name", "expires_hours"});
    if (auto refused = m.unknown()) return *refused;
    auto name = m.text("name");
    if (!name) return name.error();
    auto hours = m.number("expires_hours", NewUser::kDefaultCodeHours);
    if (!hours) return hours.error();
    return new_enrollment_code_for(store, *name, *hours, pin);
  }
  if (path == kAdminDeviceRevokePath) {
    const Members m = members({"device_id"});
    if (auto refused = m.unknown()) return *refused;
    auto id = m.text("device_id");
    if (!id) return id.error();
    if (id->empty()) return bad_member("device_id", "expected the device's id", "端末のIDが必要です");
    if (auto status = store.revoke_device(*id); !status) return status.error();
    return json{{"revoked", *id}};
  }
  if (path == kAdminReferencePath) {
    const Members m = members({"reference", "replace"});
    if (auto refused = m.unknown()) return *refused;
    auto replace = m.flag("replace");
    if (!replace) return replace.error();
    const json* document = m.object("reference");
    if (!document || !document->is_object())
      return bad_member("reference", "expected the reference data (a JSON object)",
                        "参照データ（JSONオブジェクト）が必要です");
    auto added = reference_from_json(*document);
    if (!added) return Error(added.error()).with_context("reference");
    return import_reference(store, *added, *replace);
  }
  return make_error("protocol.not_found", "", "no such endpoint", "その操作はありません");
}

int admin_error_status(const Error& error) {
  if (error.code == "protocol.not_found" || error.code == "user.not_found" || error.code == "device.not_found")
    return 404;
  if (error.code == "user.exists") return 409;
  return 400;
}

}  // namespace tsunagi::sync
