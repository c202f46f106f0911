// What an admin does: add users and issue their enrollment codes, list and revoke devices, import reference data.
// One implementation for tsunagi-collector's commands on the server and for an admin's device over the network
// (/v1/admin/..., docs/PROTOCOL.md), so that the two cannot drift. Answers are the JSON the network sends; both
// programs print them with the texts of sync/protocol.hpp.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "collector/store.hpp"
#include "model/error.hpp"
#include "model/reference.hpp"

namespace tsunagi::sync {

// The refusal every admin request gets from anyone but an admin (403).
Error admin_only();

// A user as the admin describes them.
struct NewUser {
  std::string name;
  std::string role = "staff";  // staff, supervisor or admin
  std::string team;
  std::vector<std::string> committees;
  std::string council;  // an id or name; stored as the reference data's id
  double expires_hours = kDefaultCodeHours;

  static constexpr double kDefaultCodeHours = 72;
};

// Adds the user and issues their first enrollment code: {"user", "code", "expires_hours", "expires_at", "pin"}, with
// `pin` the collector's (for the enrollment line). Errors: user.name, user.role, user.council (not in the reference
// data), user.expires, user.exists.
Result<nlohmann::json> add_user_with_code(CollectorStore& store, const NewUser& user, const std::string& pin);
// A new enrollment code for the user called `name`, answered as add_user_with_code does (user.not_found).
Result<nlohmann::json> new_enrollment_code_for(CollectorStore& store, const std::string& name, double expires_hours,
                                               const std::string& pin);
// {"users": [{"id", "name", "role", "team", "committees", "council", "created_at"}]}
Result<nlohmann::json> list_users(IdentityStore& store);
// {"devices": [{"id", "user_id", "user", "name", "enrolled_at", "last_seen", "revoked_at"}]}
Result<nlohmann::json> list_devices(IdentityStore& store);
// Adds `added` to the stored reference data (an entry with the same id is replaced), or replaces it all: the
// counts of what was added and of what there is now, {"added": {...}, "now": {...}}.
Result<nlohmann::json> import_reference(CollectorStore& store, const ReferenceData& added, bool replace);

// One admin request as the network carries it: `path` one of the kAdmin*Path, `body` its JSON object (members
// other than the request's own are refused). The answer to send, or an error: a store's (store.*, answered as every
// route answers a store failure) or one admin_error_status gives the HTTP status of.
Result<nlohmann::json> run_admin_request(CollectorStore& store, const std::string& path, const nlohmann::json& body,
                                         const std::string& pin);
int admin_error_status(const Error& error);

}  // namespace tsunagi::sync
