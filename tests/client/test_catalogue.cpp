// Every word a user can read comes from the catalogues, in Japanese and English, and no developer's text reaches
// the screen: the two catalogues hold the same keys; every key the code names (literally, or built from an enum
// or an error code) is in both; and a walk through every screen in both languages, in the states that carry
// technical text (a record the collector refused at a JSON path, a collector that does not answer with libcurl's
// words, a line that is not an enrollment line), asks for no missing key and draws no path, code or library text.
#include <catch2/catch.hpp>

#include <GLFW/glfw3.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "model/files.hpp"
#include "sync/client.hpp"
#include "tests/client/app_fixture.hpp"

namespace tsunagi {
namespace {

using Catalogue = std::map<std::string, std::string>;

Catalogue catalogue(const std::string& language) {
  auto text = read_file(assets_dir() / "i18n" / (language + ".json"));
  REQUIRE(text);
  Catalogue entries;
  const nlohmann::json object = nlohmann::json::parse(*text);
  for (auto item = object.begin(); item != object.end(); ++item) entries[item.key()] = item.value().get<std::string>();
  return entries;
}

std::set<std::string> placeholders(const std::string& text) {
  std::set<std::string> names;
  static const std::regex placeholder(R"(\{([a-z_]+)\})");
  for (std::sregex_iterator it(text.begin(), text.end(), placeholder), end; it != end; ++it) names.insert((*it)[1]);
  return names;
}

// The catalogue keys named literally in the client's sources ("editor.field.title"; not prefixes such as "kind.").
std::set<std::string> keys_in_sources() {
  static const std::regex literal(
      R"re("((?:app|nav|list|kind|status|editor|date|meeting_type|format|review_type|visit_type|statusbar|filter|sync_state|sync|role|settings|error)\.[a-z0-9_.]*[a-z0-9_])")re");
  std::set<std::string> keys;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(TSUNAGI_SOURCE_DIR "/app")) {
    const std::string extension = entry.path().extension().string();
    if (extension != ".cpp" && extension != ".hpp") continue;
    std::ifstream file(entry.path());
    for (std::string line; std::getline(file, line);) {
      line = line.substr(0, line.find("//"));  // comments give examples, not keys
      // Strings of the same shape that are not keys: error codes, probe names, setting names.
      bool other = false;
      for (const char* use : {"make_error(", "probe_item(", "probe.count(", ".code ==", "Key = \"", "Setting = \""})
        other = other || line.find(use) != std::string::npos;
      if (other) continue;
      for (std::sregex_iterator it(line.begin(), line.end(), literal), end; it != end; ++it) keys.insert((*it)[1]);
    }
  }
  return keys;
}

// The keys the code builds from values ("kind." + enum_name(kind), "error." + code, ...).
template <typename E>
void add_enum_keys(std::set<std::string>& keys, const std::string& prefix) {
  for (std::string_view name : EnumNames<E>::names) keys.insert(prefix + "." + std::string(name));
}

std::set<std::string> built_keys() {
  std::set<std::string> keys;
  add_enum_keys<RecordKind>(keys, "kind");
  add_enum_keys<ReviewStatus>(keys, "status");
  add_enum_keys<MeetingType>(keys, "meeting_type");
  add_enum_keys<MeetingFormat>(keys, "format");
  add_enum_keys<ReviewType>(keys, "review_type");
  add_enum_keys<VisitType>(keys, "visit_type");
  for (const char* role : {"staff", "supervisor", "admin"}) keys.insert("role." + std::string(role));
  for (const char* state : {"local_only", "waiting", "sent", "backed_up", "rejected", "returned"})
    keys.insert("sync_state." + std::string(state));
  for (Connection connection : {Connection::Unknown, Connection::Online, Connection::NoNetwork,
                                Connection::NotAnswering, Connection::PinMismatch, Connection::Refusing})
    keys.insert("sync.connection." + std::string(connection_name(connection)));
  // Every error a user of the window can meet: the store's, the network's, the collector's answers to an
  // enrollment or a sync, and the editor's own.
  for (const char* code :
       {"store.full",       "store.busy",           "store.io",          "store.access",      "store.corrupt",
        "store.constraint", "store.version",        "record.not_found",  "record.invalid",    "record.duplicate",
        "record.immutable", "net.no_network",       "net.refused",       "net.timeout",       "net.connect",
        "net.other",        "net.cancelled",        "tls.pin_mismatch",  "tls.handshake",     "tls.failure",
        "auth.token",       "enroll.line",          "enroll.invalid",    "enroll.expired",    "enroll.used",
        "enroll.slow_down", "enroll.file",          "sync.not_enrolled", "protocol.response", "server.internal",
        "editor.closed",    "editor.not_submitted", "editor.scratch",    "io.read",           "io.write",
        "clock.future",     "collector.full",       "auth.locked",       "auth.author",       "keyring.unavailable",
        "keyring.missing",  "keyring.damaged",      "keyring.failed"})
    keys.insert("error." + std::string(code));
  for (const char* store : {"libsecret", "dpapi"}) keys.insert("keyring.store." + std::string(store));
  keys.insert("editor.issue.number.invalid");  // the editor's own issue, worded by the catalogue
  for (const char* code : {"auth.forbidden", "auth.review", "auth.locked", "auth.author", "protocol.mismatch",
                           "protocol.hash", "protocol.clock", "other"})
    keys.insert("sync.rejection.reason." + std::string(code));
  return keys;
}

// What must never be drawn: a JSON pointer into a record, an error code in brackets, libcurl's or SQLite's words,
// a catalogue key shown for want of its text.
void check_plain(const std::string& text, const std::string& where) {
  INFO(where << " draws:\n" << text);
  for (const char* developer : {"/record/", "/author", "/title", "Failed to connect", "Couldn't", "port 9", "curl",
                                "sqlite", "errno", "auth.forbidden", "net.refused", "enroll.line", "[json."})
    CHECK(text.find(developer) == std::string::npos);
  static const std::regex key(R"(\b[a-z_]+\.[a-z_]+\.[a-z_]+\b)");
  CHECK_FALSE(std::regex_search(text, key));
  static const std::regex identifier(R"(\b[a-z]+_[a-z_]+\b)");  // a field's name in code: case_code, start_time
  CHECK_FALSE(std::regex_search(text, identifier));
}

struct CatalogueFixture : DemoAppFixture {
  std::unique_ptr<HeadlessHost> host_in(const std::string& language) {
    AppConfig in_language = config();
    in_language.language = language;
    in_language.sync.engine.attempts = 1;  // the collector that does not answer is not asked five times
    return host(in_language);
  }
};

}  // namespace

TEST_CASE("both catalogues hold the same keys, each with a text and the same placeholders", "[client][i18n]") {
  const Catalogue ja = catalogue("ja"), en = catalogue("en");
  for (const auto& [key, text] : ja) {
    INFO(key);
    REQUIRE(en.count(key) == 1);
    CHECK_FALSE(text.empty());
    CHECK_FALSE(en.at(key).empty());
    // The month grid's title names the era in Japanese (令和) and gives its letter in English (R): the code
    // passes both.
    if (key != "date.month_title") CHECK(placeholders(text) == placeholders(en.at(key)));
  }
  for (const auto& [key, text] : en) {
    INFO(key);
    CHECK(ja.count(key) == 1);
  }
}

TEST_CASE("every key the code names or builds is in both catalogues", "[client][i18n]") {
  const Catalogue ja = catalogue("ja"), en = catalogue("en");
  std::set<std::string> keys = keys_in_sources();
  REQUIRE(keys.size() > 100);  // the scan found the code's keys
  REQUIRE(keys.count("editor.field.author") == 1);
  const std::set<std::string> built = built_keys();
  keys.insert(built.begin(), built.end());
  for (const std::string& key : keys) {
    INFO(key);
    CHECK(ja.count(key) == 1);
    CHECK(en.count(key) == 1);
  }
}

TEST_CASE_METHOD(CatalogueFixture, "every screen in both languages asks for no missing key and shows no developer's text",
                 "[client][i18n]") {
  // A record the collector refused at a JSON path, with its English reason (as it arrives).
  RecordQuery first;
  first.limit = 1;
  const RecordSummary refused = store->list(first)->front();
  REQUIRE(store->mark_rejected(
      refused.id, "x",
      make_error("auth.forbidden", "/record/author", "staff may change only their own records (this one is 's)",
                 "職員は自分の記録だけを変更できます（この記録はさんのものです）")));
  // Enrolled with a collector that does not answer: a closed port on this machine.
  sync::Enrollment enrollment;
  enrollment.server = "https://127.0.0.1:9";
  enrollment.trust.pin = "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  enrollment.device_id = "device";
  enrollment.token = "token";
  enrollment.user_name = "試験 花子";
  enrollment.role = "staff";
  REQUIRE(sync::save_enrollment(folder.path / "data", enrollment));

  for (const std::string language : {"ja", "en"}) {
    auto ui = host_in(language);
    App& app = ui->app();
    ItemProbe probe;
    app.set_probe(&probe);
    REQUIRE(ui->frames_until([&] { return app.settled(); }));
    REQUIRE(ui->frame());
    check_plain(ui->drawn_text(), language + " list");

    // A new record of each kind, then a stored one, a submitted one (read-only) and the refused one.
    for (const char* kind : {"kind.meeting", "kind.case_review", "kind.outreach"}) {
      ui->key(GLFW_KEY_N, true);
      REQUIRE(ui->frame());
      REQUIRE(ui->frame());
      REQUIRE(ui->click(probe, kind));
      REQUIRE(ui->frame());
      REQUIRE(ui->frame());
      ui->key(GLFW_KEY_ENTER, true);  // submit: every message beside its field
      REQUIRE(ui->frame());
      REQUIRE(ui->frame());
      check_plain(ui->drawn_text(), language + " editor " + kind);
      REQUIRE(ui->click(probe, "button.close"));
      REQUIRE(ui->frame());
      REQUIRE(ui->frame());
      if (app.editor().is_open()) {  // asks first: the kind was changed
        REQUIRE(ui->frame());
        REQUIRE(ui->click(probe, "confirm.discard"));
        REQUIRE(ui->frame());
      }
      REQUIRE(ui->frames_until([&] { return !app.editor().is_open(); }, 10));
    }

    REQUIRE(ui->click(probe, "nav.sync"));
    REQUIRE(ui->frames_until([&] { return app.screen() == Screen::Sync && probe.count("sync.button") > 0; }));
    REQUIRE(ui->click(probe, "sync.button"));
    REQUIRE(ui->frames_until([&] { return !app.sync().view().running && app.sync().view().result.has_value(); }));
    REQUIRE(ui->frame());
    REQUIRE(ui->frame());
    CHECK(app.sync().view().error->code == "net.refused");
    const std::string sync_text = ui->drawn_text();
    check_plain(sync_text, language + " sync, not answering, one record refused");
    CHECK(sync_text.find(app.i18n().tr("sync.rejection.reason.auth.forbidden")) != std::string::npos);
    CHECK(sync_text.find(app.i18n().tr("editor.field.author")) != std::string::npos);  // the field, by its label

    REQUIRE(ui->click(probe, "sync.open.0"));  // the refused record, at its field
    REQUIRE(ui->frame());
    REQUIRE(ui->frame());
    CHECK(app.screen() == Screen::Editor);
    check_plain(ui->drawn_text(), language + " editor of a refused record");

    REQUIRE(ui->click(probe, "nav.settings"));
    REQUIRE(ui->frames_until([&] { return app.screen() == Screen::Settings && probe.count("settings.line") > 0; }));
    REQUIRE(ui->click(probe, "settings.line"));
    REQUIRE(ui->frame());
    ui->type("これは登録行ではありません");
    REQUIRE(ui->frame());
    REQUIRE(ui->click(probe, "settings.enroll"));
    REQUIRE(ui->frames_until([&] { return app.sync().view().enroll_error.has_value(); }));
    REQUIRE(ui->frame());
    REQUIRE(ui->frame());
    const std::string settings_text = ui->drawn_text();
    check_plain(settings_text, language + " settings after a bad line");
    CHECK(settings_text.find(app.i18n().tr("error.enroll.line")) != std::string::npos);

    INFO("missing keys: " << [&] {
      std::string all;
      for (const auto& key : app.i18n().missing_keys()) all += key + " ";
      return all;
    }());
    CHECK(app.i18n().missing_keys().empty());
  }
}

}  // namespace tsunagi
