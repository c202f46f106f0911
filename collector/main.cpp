// tsunagi-collector: the central HTTPS server devices enroll with and sync to, and its admin commands.
#include <signal.h>

#include <cstdio>
#include <functional>
#include <iostream>
#include <thread>

#include "collector/admin.hpp"
#include "collector/postgres.hpp"
#include "collector/server.hpp"
#include "common/command_line.hpp"
#include "model/files.hpp"
#include "model/ids.hpp"
#include "model/json_text.hpp"
#include "model/record_json.hpp"
#include "model/reference.hpp"
#include "sync/tls.hpp"

using namespace tsunagi;
using namespace tsunagi::sync;
using nlohmann::json;

namespace {

constexpr const char* kUsage = R"(Usage: tsunagi-collector COMMAND --data DIR [...]
       tsunagi-collector COMMAND --db postgresql://USER@HOST/DB [--data DIR] [...]

  --data DIR    the collector's folder: its TLS identity (cert.pem, key.pem) and, without --db, its SQLite database
  --db URL      keep everything in PostgreSQL instead (several collector processes may share it); the TLS identity
                stays in --data, or comes from --cert/--key

  serve [--listen 127.0.0.1:8443] [--cert FILE --key FILE]
        Serves HTTPS (TLS 1.2+). Without --cert, makes a self-signed certificate in DIR on first start and prints
        the SHA-256 pin of its public key, which devices check.
  user add --name NAME --role staff|supervisor|admin [--team AREA] [--committee NAME]... [--council ID|NAME]
        [--expires HOURS] [--url URL]
        Adds a user and prints a single-use enrollment code (72 hours by default) with the server's URL and pin,
        also as one line to paste into the client. Staff see their own records and the meetings of their team's
        areas and their committees; a supervisor sees what their team's staff wrote and the records of their areas
        and committees, or with --council every record of that council, or with none of these every record; an
        admin sees every record and also manages users, devices and reference data from an enrolled device
        (tsunagi admin ...)
  user code --name NAME [--expires HOURS] [--url URL]    a new enrollment code for an existing user
  user list
  device list
  device revoke DEVICE_ID
  reference import FILE.json [--replace]
        Councils, areas, committees, themes, organisations, staff, work items, projects, indicators; syncs to
        devices. Entries join those already there (one with the same id is replaced), so several councils' files
        import side by side; --replace drops what was there first
  migrate                         brings the database to this version's schema, one step at a time (serve does
                                  too at start); safe while the collector serves
  migrate-store --from DIR --to postgresql://...
                                  moves a SQLite collector's database into an empty PostgreSQL database (every
                                  user, device, token, record, comment and cursor; the same collector id, so devices
                                  keep syncing without enrolling again). Stop the collector first; then serve with
                                  --db URL --data DIR
  backup --to FILE                a consistent copy of the database while the collector serves (SQLite's online
                                  backup), checked and on the disk before it is named FILE; to restore, stop the
                                  collector and `restore --from FILE`. PostgreSQL: pg_dump (docs/DEPLOY.md)
  restore --from FILE             with the collector stopped: checks FILE and puts it in place of DIR's database
                                  (which is kept aside), under a new collector id, so that every device pulls
                                  everything again (its cursor may count changes the backup does not hold)
  key next                        makes the key to move to and prints its pin; every answer names it from the
                                  next start, and devices that sync accept it too
  key rotate                      moves to the next key at the next start; the current pair is kept as
                                  previous-cert.pem and previous-key.pem. Devices that synced since `key next`
                                  follow without enrolling again
)";

constexpr int kExitError = 1;
constexpr int kExitUsage = 64;

// What each command accepts: Arguments refuses anything else with a usage error.
CommandLineSpec command_line() {
  const std::vector<OptionSpec> code_options{value_option("--expires"), value_option("--url")};
  std::vector<OptionSpec> user_add_options{value_option("--name"), value_option("--role"), value_option("--team"),
                                           value_option("--committee"), value_option("--council")};
  user_add_options.insert(user_add_options.end(), code_options.begin(), code_options.end());
  std::vector<OptionSpec> user_code_options{value_option("--name")};
  user_code_options.insert(user_code_options.end(), code_options.begin(), code_options.end());
  return {
      .global_options = {value_option("--data"), value_option("--db"), flag_option("--help")},
      .commands = {
          {},  // no command: the usage text
          {.words = {"serve"}, .options = {value_option("--listen"), value_option("--cert"), value_option("--key")}},
          {.words = {"user", "add"}, .options = user_add_options},
          {.words = {"user", "code"}, .options = user_code_options},
          {.words = {"user", "list"}},
          {.words = {"device", "list"}},
          {.words = {"device", "revoke"}, .operands = {"DEVICE_ID"}},
          {.words = {"reference", "import"}, .operands = {"FILE.json"}, .options = {flag_option("--replace")}},
          {.words = {"key", "next"}},
          {.words = {"key", "rotate"}},
          {.words = {"migrate"}},
          {.words = {"migrate-store"}, .options = {value_option("--from"), value_option("--to")}},
          {.words = {"backup"}, .options = {value_option("--to")}},
          {.words = {"restore"}, .options = {value_option("--from")}},
      }};
}

int fail(const Error& error) {
  std::cerr << "error: " << error.describe() << " [" << error.code << "]\n";
  return kExitError;
}

// Where the collector keeps things: its folder (--data: the TLS identity, endpoint.json and, without --db, the
// SQLite database) and the PostgreSQL database (--db), either of which may be missing.
struct Place {
  std::filesystem::path dir;
  std::string db;
  std::string database() const { return db.empty() ? dir.string() : db; }
};

// Where the running server said it listens, so that admin commands print a URL devices can reach.
std::filesystem::path endpoint_file(const std::filesystem::path& dir) { return dir / "endpoint.json"; }

// `name` ("url", "pin") as the running (or last) server announced it: in DIR's endpoint.json, else in the database
// (every collector process announces itself there, so that admin commands anywhere print the lines); or empty.
std::string announced(const Place& place, CollectorStore* store, const char* name) {
  if (!place.dir.empty())
    if (auto text = read_file(endpoint_file(place.dir)))
      if (std::string value = string_member(json::parse(*text, nullptr, false), name); !value.empty()) return value;
  if (!store) return {};
  auto text = store->announcement();
  return text ? string_member(json::parse(*text, nullptr, false), name) : std::string();
}

std::string server_url(const Arguments& args, const Place& place, CollectorStore& store) {
  if (args.has("--url")) return args.option("--url");
  std::string url = announced(place, &store, "url");
  return url.empty() ? "https://127.0.0.1:8443" : url;
}

// tls.pin_differs when the collector processes on this database announced another key than `pin` (and not as the
// one they move to next): a process given a fresh folder would make a key of its own, which devices refuse.
Status same_key_as_others(CollectorStore& store, const std::string& pin) {
  auto text = store.announcement();
  if (!text) return text.error();
  const json announced = json::parse(*text, nullptr, false);
  const std::string theirs = string_member(announced, "pin");
  if (theirs.empty() || theirs == pin || string_member(announced, "next_pin") == pin) return ok_status();
  return make_error("tls.pin_differs", "",
                    "the collector processes on this database serve the key " + theirs + ", this one " + pin +
                        ": copy their cert.pem and key.pem into this folder (or give the same --cert/--key)",
                    "このデータベースの集約サーバーは別の鍵（" + theirs +
                        "）で動いています。その cert.pem と key.pem をこのフォルダにコピーしてください");
}

int serve(const Arguments& args, const Place& place) {
  CollectorOptions options;
  options.data_dir = place.dir;
  options.database = place.db;
  std::string listen = args.option("--listen", "127.0.0.1:8443");
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) throw UsageError{"--listen: expected HOST:PORT"};
  options.host = listen.substr(0, colon);
  if (options.host.size() > 2 && options.host.front() == '[')
    options.host = options.host.substr(1, options.host.size() - 2);
  try {
    options.port = std::stoi(listen.substr(colon + 1));
  } catch (...) {
    throw UsageError{"--listen: expected HOST:PORT"};
  }
  options.cert_file = args.option("--cert");
  options.key_file = args.option("--key");
  if (options.cert_file.empty() != options.key_file.empty()) throw UsageError{"--cert and --key go together"};
  if (place.dir.empty() && options.cert_file.empty())
    throw UsageError{"serve --db: give --data DIR (the TLS identity is kept there) or --cert FILE --key FILE"};

  // Signals are taken by one thread with sigwait, which then stops the server: no work in a signal handler.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto server = CollectorServer::start(options);
  if (!server) return fail(server.error());
  std::string url = (*server)->url();
  const std::string endpoint =
      to_json_text(json{{"url", url}, {"pin", (*server)->pin()}, {"next_pin", (*server)->next_pin()}});
  {
    auto store = open_collector_store(place.database());
    if (!store) return fail(store.error());
    // Processes sharing a database serve one key: devices pin it, whichever process they reach.
    if (!place.db.empty())
      if (auto status = same_key_as_others(**store, (*server)->pin()); !status) return fail(status.error());
    if (auto status = (*store)->set_announcement(endpoint); !status) return fail(status.error());
  }
  if (!place.dir.empty()) {
    if (auto status = write_file_atomic(endpoint_file(place.dir), endpoint + "\n", 0600); !status)
      return fail(status.error());
    if (!place.db.empty())
      if (auto status = note_postgres_folder(place.dir, place.db); !status) return fail(status.error());
  }
  if ((*server)->created_certificate()) std::printf("created a self-signed certificate in %s\n", place.dir.c_str());
  std::printf("tsunagi-collector listening on %s\npin %s\n", url.c_str(), (*server)->pin().c_str());
  if (!(*server)->next_pin().empty())
    std::printf("next pin %s (waiting: devices that sync accept it; then `key rotate` and restart)\n",
                (*server)->next_pin().c_str());
  std::fflush(stdout);

  std::thread waiter([&signals, &server] {
    int signal = 0;
    sigwait(&signals, &signal);
    (*server)->stop();
  });
  (*server)->serve();
  // serve() returns after stop(); if it returned on its own, wake the waiter so it can be joined.
  pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
  std::printf("tsunagi-collector stopped\n");
  return 0;
}

// The collector's own pin, for the enrollment lines it prints: the one the running (or last) server said it serves
// (with --cert/--key that is not DIR's pair), else that of DIR's pair.
Result<std::string> own_pin(const Place& place, CollectorStore& store) {
  if (std::string pin = announced(place, &store, "pin"); !pin.empty()) return pin;
  if (place.dir.empty())
    return make_error("collector.no_pin", "", "no collector has served from this database yet: give --data DIR",
                      "このデータベースで集約サーバーがまだ動いていません。--data DIR を指定してください");
  auto identity = load_or_create_identity(place.dir);
  if (!identity) return identity.error();
  return public_key_pin(identity->certificate_pem);
}

double expires_option(const Arguments& args) {
  if (!args.has("--expires")) return NewUser::kDefaultCodeHours;
  try {
    return std::stod(args.option("--expires"));
  } catch (...) {
    throw UsageError{"--expires: expected hours"};
  }
}

// Prints an admin answer with `text`, or fails with its error.
int print_answer(const Result<json>& answer, const std::function<std::string(const json&)>& text) {
  if (!answer) return fail(answer.error());
  std::fputs(text(*answer).c_str(), stdout);
  return 0;
}

int user_command(const Arguments& args, CollectorStore& store, const Place& place) {
  const std::string& action = args.positional()[1];  // command_line() allows only add, code and list
  if (action == "list") return print_answer(list_users(store), users_text);
  if (action == "add" && args.option("--name").empty()) throw UsageError{"user add: --name is required"};
  auto pin = own_pin(place, store);
  if (!pin) return fail(pin.error());
  const double hours = expires_option(args);
  auto print_code = [&](const json& issued) { return enrollment_code_text(issued, server_url(args, place, store)); };
  if (action == "code")
    return print_answer(new_enrollment_code_for(store, args.option("--name"), hours, *pin), print_code);
  NewUser user{.name = args.option("--name"),
               .role = args.option("--role", "staff"),
               .team = args.option("--team"),
               .committees = args.options("--committee"),
               .council = args.option("--council"),
               .expires_hours = hours};
  return print_answer(add_user_with_code(store, user, *pin), print_code);
}

int device_command(const Arguments& args, CollectorStore& store) {
  const auto& pos = args.positional();
  if (pos[1] == "list") return print_answer(list_devices(store), devices_text);
  // command_line() allows only "device list" and "device revoke ID"
  if (auto status = store.revoke_device(pos[2]); !status) return fail(status.error());
  std::printf("revoked %s\n", pos[2].c_str());
  return 0;
}

int reference_command(const Arguments& args, CollectorStore& store) {
  auto added = load_reference_file(args.positional()[2]);  // command_line() allows only "reference import FILE"
  if (!added) return fail(added.error());
  return print_answer(import_reference(store, *added, args.flag("--replace")), reference_import_text);
}

int key_command(const Arguments& args, const std::filesystem::path& dir) {
  if (args.positional()[1] == "next") {
    auto pin = create_next_identity(dir);
    if (!pin) return fail(pin.error());
    std::printf(
        "next key made in %s\nnext pin %s\n"
        "Restart the collector: its answers then name this key, and each device that syncs accepts it.\n"
        "Once they have synced, stop the collector, run `key rotate` and start it again.\n",
        dir.c_str(), pin->c_str());
    return 0;
  }
  auto pin = rotate_identity(dir);  // command_line() allows only "key next" and "key rotate"
  if (!pin) return fail(pin.error());
  std::printf(
      "the key with pin %s is served from the collector's next start: restart it now\n"
      "(the previous pair is kept as previous-cert.pem and previous-key.pem)\n",
      pin->c_str());
  return 0;
}

int migrate_command(const Place& place) {
  auto report =
      place.db.empty() ? migrate_sqlite_collector_store(place.dir) : migrate_postgres_collector_store(place.db);
  if (!report) return fail(report.error());
  const std::string where = place.db.empty() ? "in " + place.dir.string() : "at " + redacted_url(place.db);
  if (report->from == 0)
    std::printf("created the collector database %s at schema %d\n", where.c_str(), report->to);
  else if (report->steps == 0)
    std::printf("the collector database %s is at schema %d already\n", where.c_str(), report->to);
  else
    std::printf("migrated the collector database %s from schema %d to %d (%d step%s)\n", where.c_str(), report->from,
                report->to, report->steps, report->steps == 1 ? "" : "s");
  return 0;
}

int migrate_store_command(const Arguments& args) {
  const std::string from = args.option("--from"), to = args.option("--to");
  if (from.empty() || to.empty()) throw UsageError{"migrate-store: --from DIR and --to postgresql://... are required"};
  if (!is_postgres_url(to)) throw UsageError{"migrate-store: --to must be a postgresql:// URL"};
  auto report = move_sqlite_store_to_postgres(from, to);
  if (!report) return fail(report.error());
  std::printf("moved the collector database in %s to %s (collector id %s kept):\n", from.c_str(),
              redacted_url(to).c_str(), report->collector_id.c_str());
  for (const auto& [table, rows] : report->rows)
    std::printf("  %-20s %lld\n", table.c_str(), static_cast<long long>(rows));
  std::printf(
      "Serve from it now with `serve --db URL --data %s` (the TLS identity stays in the folder): devices keep their "
      "tokens and cursors.\n",
      from.c_str());
  return 0;
}

// What a backup holds: "schema 2, 3 users, 2 devices, 120 records, 4 comments".
std::string contents_text(const BackupReport& report) {
  return "schema " + std::to_string(report.schema) + ", " + std::to_string(report.users) + " users, " +
         std::to_string(report.devices) + " devices, " + std::to_string(report.records) + " records, " +
         std::to_string(report.comments) + " comments";
}

int backup_command(const Arguments& args, const std::filesystem::path& dir) {
  if (args.option("--to").empty()) throw UsageError{"backup: --to FILE is required"};
  const std::filesystem::path to = args.option("--to");
  auto report = backup_sqlite_collector_store(dir, to);
  if (!report) return fail(report.error());
  std::printf("backed up %s to %s: %s, %lld bytes; checked and on the disk\n", (dir / "collector.db").c_str(),
              to.c_str(), contents_text(*report).c_str(), static_cast<long long>(report->bytes));
  return 0;
}

int restore_command(const Arguments& args, const std::filesystem::path& dir) {
  if (args.option("--from").empty()) throw UsageError{"restore: --from FILE is required"};
  auto report = restore_sqlite_collector_store(dir, args.option("--from"));
  if (!report) return fail(report.error());
  std::printf("restored %s from %s: %s; a new collector id, so every device pulls everything again at its next sync\n",
              (dir / "collector.db").c_str(), args.option("--from").c_str(), contents_text(report->restored).c_str());
  if (!report->replaced.empty()) std::printf("the database it replaced is kept as %s\n", report->replaced.c_str());
  if (report->identity_missing)
    std::printf(
        "warning: no cert.pem and key.pem in %s: put the collector's own pair back before serving, or a new one is "
        "made and devices refuse it (they pin the old key)\n",
        dir.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // A client that hangs up mid-response must not kill the server: writes then fail with EPIPE instead.
  signal(SIGPIPE, SIG_IGN);
  try {
    Arguments args(command_line(), argc, argv);
    if (args.flag("--help") || args.positional().empty()) {
      std::cout << kUsage;
      return args.flag("--help") ? 0 : kExitUsage;
    }
    const std::string& command = args.positional()[0];
    if (command == "migrate-store") return migrate_store_command(args);
    Place place{args.option("--data"), args.option("--db")};
    if (!place.db.empty() && !is_postgres_url(place.db)) throw UsageError{"--db: expected a postgresql:// URL"};
    if (place.dir.empty() && place.db.empty()) throw UsageError{"--data DIR (or --db URL) is required"};
    if (command == "serve") return serve(args, place);
    if (command == "migrate") return migrate_command(place);
    if (command == "key" || command == "backup" || command == "restore") {
      if (command != "key" && !place.db.empty())
        return fail(make_error("backup.postgres", "",
                               "a PostgreSQL collector is backed up with pg_dump or base backups (docs/DEPLOY.md)",
                               "PostgreSQL の集約サーバーは pg_dump などでバックアップします（docs/DEPLOY.md）"));
      if (place.dir.empty()) throw UsageError{command + ": --data DIR is required"};
      if (command == "key") return key_command(args, place.dir);
      if (command == "backup") return backup_command(args, place.dir);
      return restore_command(args, place.dir);
    }
    auto store = open_collector_store(place.database());
    if (!store) return fail(store.error());
    if (command == "user") return user_command(args, **store, place);
    if (command == "device") return device_command(args, **store);
    if (command == "reference") return reference_command(args, **store);
    throw UsageError{"unknown command \"" + command + "\""};
  } catch (const UsageError& error) {
    std::cerr << "tsunagi-collector: " << error.message << "\n\n" << kUsage;
    return kExitUsage;
  }
}
