// [SECTION] Arguments: global options, then a subcommand and its options
// [SECTION] Output: table, JSON and CSV (UTF-8 with BOM, for Excel)
// [SECTION] Subcommands: record add|list|show|edit|delete, import, export, and the window
#include "app/cli.hpp"

#include <cstdlib>
#include <cstring>
#include <functional>
#include <iostream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "app/i18n.hpp"
#include "app/passphrase.hpp"
#include "app/report_model.hpp"
#include "app/report_xlsx.hpp"
#include "app/screens/review.hpp"
#include "app/window.hpp"
#include "common/command_line.hpp"
#include "model/calendar.hpp"
#include "model/csv_export.hpp"
#include "model/demo.hpp"
#include "model/encryption.hpp"
#include "model/files.hpp"
#include "model/json_text.hpp"
#include "model/keyring.hpp"
#include "model/platform.hpp"
#include "model/record_json.hpp"
#include "model/reference.hpp"
#include "model/report.hpp"
#include "model/review.hpp"
#include "model/store.hpp"
#include "model/text.hpp"
#include "model/validation.hpp"
#include "sync/client.hpp"
#include "sync/protocol.hpp"

namespace tsunagi {

namespace {

using nlohmann::json;

constexpr int kExitError = 1;
constexpr int kExitUsage = 64;  // EX_USAGE

constexpr const char* kUsage =
    R"(Usage: tsunagi [--data DIR] [--lang ja|en] [--author NAME] [--passphrase-fd N] [COMMAND ...]

With no command, opens the desktop window:
  tsunagi [--demo] [--screenshot FILE.png [--screen SCREEN] [--drawn-text FILE.txt]] [--fy YEAR]
          [--focus search] [--timing] [--frames N]
  (SCREEN: list, queue, review, editor, reports, reports-progress, reports-committee, reports-themes, sync or
   settings; --fy: the reports' fiscal year, the current one unless given)
  (--drawn-text writes the text the screenshot shows, a line per line on screen; --focus search starts with
   the search box taking the keyboard; --timing prints, on stderr, how long the first frame with records took
   from the program's start; --frames N closes the window after N frames)

Commands:
  record add --json FILE|- [--fy YEAR]
                                    add a record (JSON object); prints its id. References (council, areas,
                                    themes, committees, organisations, work items) by id or name; ids are stored
  record list [FILTERS] [--format table|json|csv] [--limit N] [--offset N]
  record show ID [--format json|table]
                                    the stored record, with the names of its references ("names")
  record edit ID --json FILE|- [--fy YEAR]
                                    update only the fields given (your submitted record waits for review as it
                                    is: withdraw it in the same edit, "status": "draft", and submit it again)
  record delete ID                  mark deleted (a tombstone that syncs)
  record resolve ID FIELD [--take N]
                                    resolve a conflict on FIELD: keep the current value, or take the N-th value
                                    record show lists for it (1 = the first kept one); syncs to every device
  record history ID [--format table|json]
                                    every change: who, on which device, when, each field from what to what
                                    (from the collector when it is reached, else as last received)
  review list [FILTERS] [--format table|json|csv]
                                    submitted records waiting for a decision, the longest waiting first
  review approve ID...              approve (a supervisor; not a record you wrote)
  review return ID --comment TEXT   send back to its author, saying why
  review reopen ID --comment TEXT   reopen an approved record, saying why
  comment add ID --text TEXT        add to the record's comment thread (decisions and comments go with the next sync)
  import FILE.json [--fy YEAR]      add or update a JSON array of records, all or nothing
  export --format json|csv --out FILE [FILTERS]
                                    CSV: UTF-8 with BOM, Japanese headers and values unless --lang en
  enroll "LINE"                     enroll this device with the line from tsunagi-collector user add
  enroll --server URL --code CODE --pin PIN [--ca FILE] [--device-name NAME]
  sync                              send waiting changes, then receive what changed
  restore                           receive everything this user may see (a new or wiped laptop)
  status                            enrollment, waiting changes, last sync
  report indicators|progress|committee|themes --fy YEAR [--council ID|NAME] [--provisional] [--records]
        [--format table|json|csv|xlsx] [--out FILE]
  report all --fy YEAR [--council ID|NAME] [--provisional] --out FILE.xlsx
                                    the yearly reports from the records on this device (approved ones; with
                                    --provisional submitted ones too): indicators against their targets, the
                                    committee activity report (dates per work item), the theme × area matrix,
                                    the progress management table (per project); `all`: one workbook, a
                                    sheet per report;
                                    --records lists under each row the records it counted (JSON always has them)
  report set progress PROJECT --fy YEAR [--council ID] [--status a|b|c|d] [--work-done TEXT]
        [--figures-actual TEXT] [--analysis TEXT] [--next-plan TEXT]
  report set actual INDICATOR --fy YEAR [--council ID] --value NUMBER [--note TEXT]
                                    (a supervisor) a project's evaluation, or a figure no record holds, as a new
                                    version (what is not given stays); synced, with its history
  report history progress|actual KEY --fy YEAR [--council ID] [--format table|json]
                                    every version of an entry: who, on which device, when, what
  admin user add --name NAME --role staff|supervisor|admin [--team AREA] [--committee NAME]... [--council ID|NAME]
        [--expires HOURS] [--url URL]
                                    (an admin, online) add a user at the collector; prints their enrollment line
  admin user code --name NAME [--expires HOURS] [--url URL]
                                    a new enrollment code for an existing user
  admin user list [--format table|json]
  admin device list [--format table|json]
  admin device revoke DEVICE_ID     a lost or replaced laptop: its token stops working at once
  admin reference import FILE.json [--replace]
                                    add (or with --replace, replace) the reference data every device receives
  passphrase change [--new-passphrase-fd N]
                                    a new passphrase for the data (the data key is wrapped again; nothing else
                                    is rewritten); the new one from N, $TSUNAGI_NEW_PASSPHRASE_FILE, or asked
  passphrase remember               keep the data's key in this login's keyring (the desktop's secret store;
                                    DPAPI on Windows): this login on this computer opens the data without the
                                    passphrase, which still opens it anywhere
  passphrase forget                 no longer: the key leaves the keyring, the passphrase is needed again
  wipe --yes                        a forgotten passphrase: delete this device's data (changes not yet synced are
                                    lost), then enroll again and `restore` what the collector holds

The data on this device is encrypted. Its passphrase is read from descriptor N (--passphrase-fd; 0: standard input), else from the
file $TSUNAGI_PASSPHRASE_FILE names, else (after `passphrase remember`) taken from the login's keyring, else
asked at the terminal; the first use of a data folder sets it (8
characters or more; full-width letters and digits count as their ASCII forms). A store of an earlier version is
encrypted at that first use.

Filters: --kind meeting|case_review|outreach|initiative  --fy 2024|令和6年度  --from DATE --to DATE
         --month 1-12  --status draft|submitted|returned|approved  --council ID|NAME
         --area ID|NAME (any of a record's areas, and the wards of an area)  --theme ID|NAME|WORD
         --committee ID|NAME (and its sub-committees)  --by AUTHOR  --team AREA (its staff's records)
         --search TEXT (also in comments)  --deleted (include tombstones)
         --conflicts (only records where two changes made apart collided; record show lists both values)
         --resubmitted (returned once and submitted again)
         --others-drafts (also other people's drafts, which this device keeps as their backup; left out otherwise)
Dates may be typed as the seeds write them: 2024-04-01, R6.4.1, 令和6年4月1日, 令和6年3月末, and for a record's
date also a month (令和6年1月), a fiscal year (令和5年度), a period (R5.9.21～R5.12.19, 令和6年1月から), and with
--fy YEAR a day or month without a year (4/17, 5月). An era written past its end (平成31年5月1日) is read as the date
it means, with a warning.

sync exit codes: 0 done, 2 offline (changes wait), 3 not enrolled or token refused, 4 a record was rejected,
5 certificate pin mismatch (call the office), 1 other errors. enroll and admin exit the same way (admin: 1 also
when the collector refuses, e.g. this user is not an admin).

)"
// clang-format off
#ifdef _WIN32
R"(The data folder defaults to %TSUNAGI_DATA%, else %LOCALAPPDATA%\Tsunagi.
)";
#else
R"(The data folder defaults to $TSUNAGI_DATA, else $XDG_DATA_HOME/tsunagi, else ~/.local/share/tsunagi.
)";
#endif
// clang-format on

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] Arguments
// ---------------------------------------------------------------------------------------------------------------

// What each command accepts: Arguments refuses anything else with a usage error, so a mistyped filter cannot give a
// silently wider answer. The filters are what query_from reads.
CommandLineSpec command_line() {
  const std::vector<OptionSpec> filters{value_option("--kind"),  value_option("--fy"),     value_option("--from"),
                                        value_option("--to"),    value_option("--month"),  value_option("--status"),
                                        value_option("--area"),  value_option("--theme"),  value_option("--committee"),
                                        value_option("--council"), value_option("--team"),
                                        value_option("--by"),    value_option("--search"), flag_option("--deleted"),
                                        flag_option("--conflicts"), flag_option("--resubmitted"),
                                        flag_option("--others-drafts"),
                                        value_option("--limit"), value_option("--offset")};
  std::vector<OptionSpec> list_options = filters;
  list_options.push_back(value_option("--format"));
  std::vector<OptionSpec> export_options = list_options;
  export_options.push_back(value_option("--out"));
  const std::vector<OptionSpec> report_options{value_option("--fy"), value_option("--council"),
                                               flag_option("--provisional"), flag_option("--records"),
                                               value_option("--format"), value_option("--out")};
  const std::vector<OptionSpec> admin_user_code{value_option("--name"), value_option("--expires"), value_option("--url")};
  std::vector<OptionSpec> admin_user_add = admin_user_code;
  admin_user_add.insert(admin_user_add.end(), {value_option("--role"), value_option("--team"),
                                               value_option("--committee"), value_option("--council")});
  return {
      .global_options = {value_option("--data"), value_option("--lang"), value_option("--author"),
                         value_option("--passphrase-fd"), flag_option("--help"), flag_option("--version")},
      .commands = {
          // The window.
          {.options = {flag_option("--demo"), value_option("--screenshot"), value_option("--screen"),
                       flag_option("--timing"), value_option("--frames"), value_option("--drawn-text"),
                       value_option("--focus"), value_option("--fy")}},
          {.words = {"record", "add"}, .options = {value_option("--json"), value_option("--fy")}},
          {.words = {"record", "list"}, .options = list_options},
          {.words = {"record", "show"}, .operands = {"ID"}, .options = {value_option("--format")}},
          {.words = {"record", "edit"}, .operands = {"ID"}, .options = {value_option("--json"), value_option("--fy")}},
          {.words = {"record", "delete"}, .operands = {"ID"}},
          {.words = {"record", "resolve"}, .operands = {"ID", "FIELD"}, .options = {value_option("--take")}},
          {.words = {"record", "history"}, .operands = {"ID"}, .options = {value_option("--format")}},
          {.words = {"review", "list"}, .options = list_options},
          {.words = {"review", "approve"}, .operands = {"ID"}, .more_operands = true},
          {.words = {"review", "return"}, .operands = {"ID"}, .options = {value_option("--comment")}},
          {.words = {"review", "reopen"}, .operands = {"ID"}, .options = {value_option("--comment")}},
          {.words = {"comment", "add"}, .operands = {"ID"}, .options = {value_option("--text")}},
          {.words = {"import"}, .operands = {"FILE.json"}, .options = {value_option("--fy")}},
          {.words = {"export"}, .options = export_options},
          {.words = {"enroll"},
           .optional_operands = {"LINE"},
           .options = {value_option("--server"), value_option("--code"), value_option("--pin"), value_option("--ca"),
                       value_option("--device-name")}},
          {.words = {"sync"}},
          {.words = {"restore"}},
          {.words = {"status"}},
          {.words = {"admin", "user", "add"}, .options = admin_user_add},
          {.words = {"admin", "user", "code"}, .options = admin_user_code},
          {.words = {"admin", "user", "list"}, .options = {value_option("--format")}},
          {.words = {"admin", "device", "list"}, .options = {value_option("--format")}},
          {.words = {"admin", "device", "revoke"}, .operands = {"DEVICE_ID"}},
          {.words = {"admin", "reference", "import"}, .operands = {"FILE.json"}, .options = {flag_option("--replace")}},
          {.words = {"report"}, .operands = {"indicators|progress|committee|themes|all"}, .options = report_options},
          {.words = {"report", "set"},
           .operands = {"progress|actual", "KEY"},
           .options = {value_option("--fy"), value_option("--council"), value_option("--status"),
                       value_option("--work-done"), value_option("--figures-actual"), value_option("--analysis"),
                       value_option("--next-plan"), value_option("--value"), value_option("--note")}},
          {.words = {"report", "history"},
           .operands = {"progress|actual", "KEY"},
           .options = {value_option("--fy"), value_option("--council"), value_option("--format")}},
          {.words = {"passphrase", "change"}, .options = {value_option("--new-passphrase-fd")}},
          {.words = {"passphrase", "remember"}},
          {.words = {"passphrase", "forget"}},
          {.words = {"wipe"}, .options = {flag_option("--yes")}},
          {.words = {"help"}},
      }};
}

std::filesystem::path default_data_dir() {
  if (auto data = platform::environment_path("TSUNAGI_DATA"); !data.empty()) return data;
  return platform::default_data_folder();
}

// Whether messages are Japanese: --lang, else $LANG. Read from the raw words, so that a usage error in the very
// command line that names the language is told in it.
bool japanese_messages(int argc, char** argv) {
  std::string lang;
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    if (word == "--lang" && i + 1 < argc) lang = argv[i + 1];
    if (word.rfind("--lang=", 0) == 0) lang = word.substr(7);
  }
  if (lang.empty())
    if (const char* env = std::getenv("LANG")) lang = env;
  return lang.rfind("ja", 0) == 0;
}

// Prints an error to stderr (in the chosen language) and returns the exit code for it.
int fail(const Error& error, bool japanese) {
  std::cerr << (japanese ? "エラー: " : "error: ") << error.describe(japanese) << " [" << error.code << "]\n";
  return kExitError;
}

// What validation says of a stored record (with the reference data: unknown references, unregistered
// organisations), and `notes` on how its input was read (an old era past its end).
void print_warnings(const Record& record, const ReferenceData& reference, bool japanese,
                    std::vector<ValidationIssue> notes = {}) {
  auto issues = validate_record(record, &reference);
  notes.insert(notes.end(), issues.begin(), issues.end());
  // A field this version does not know is kept (a newer client's), but a misspelt one would go unseen in reports.
  for (const auto& [key, value] : record.unknown.items())
    notes.push_back({"/" + key, "field.unknown", Severity::Warning,
                     "\"" + key + "\" is not a field of a " + std::string(enum_name(record.kind)) + " record; kept as is",
                     "「" + key + "」はこの種類の記録の項目ではありません（そのまま保存しました）"});
  for (const auto& issue : notes) {
    const char* label =
        issue.severity == Severity::Error ? (japanese ? "要修正" : "to fix") : (japanese ? "注意" : "warning");
    std::cerr << label << ": " << (record.title.empty() ? record.id : record.title) << ": " << issue.path << ": "
              << (japanese ? issue.message_ja : issue.message) << "\n";
  }
}

Result<std::string> read_input(const std::string& source) {
  if (source == "-") return std::string(std::istreambuf_iterator<char>(std::cin), {});
  return read_file(platform::path_from_utf8(source));
}

template <class E>
std::optional<E> enum_option(const Arguments& args, const std::string& name) {
  if (!args.has(name)) return std::nullopt;
  auto value = parse_enum<E>(args.option(name));
  if (!value) {
    std::string allowed;
    for (auto option : EnumNames<E>::names) allowed += (allowed.empty() ? "" : ", ") + std::string(option);
    throw UsageError{name + ": unknown value \"" + args.option(name) + "\" (one of: " + allowed + ")",
                     name + ": 「" + args.option(name) + "」は使えません（" + allowed + " のどれか）"};
  }
  return value;
}

std::string date_option(const Arguments& args, const std::string& name) {
  if (!args.has(name)) return "";
  auto date = parse_date(args.option(name));
  if (!date)
    throw UsageError{name + ": \"" + args.option(name) + "\" is not a date",
                     name + ": 「" + args.option(name) + "」は日付として読めません（例: 2024-04-01、R6.4.1、令和6年4月1日）"};
  return format_iso(*date);
}

// `viewer`: the user of this device, whose lists leave out other people's drafts unless --others-drafts asks for
// them (drafts sync as their author's backup, not as work to read).
// --fy: a fiscal year in any form parse_fiscal_year reads (2024, 令和6年度, R6), or nullopt when not given.
std::optional<int> fiscal_year_option(const Arguments& args) {
  if (!args.has("--fy")) return std::nullopt;
  auto year = parse_fiscal_year(args.option("--fy"));
  if (!year)
    throw UsageError{"--fy: \"" + args.option("--fy") + "\" is not a fiscal year",
                     "--fy: 「" + args.option("--fy") + "」は年度として読めません（例: 2024、令和6年度、R6）"};
  return year;
}

RecordQuery query_from(const Arguments& args, const std::string& viewer) {
  RecordQuery query;
  if (!args.flag("--others-drafts")) query.viewer = viewer;
  query.kind = enum_option<RecordKind>(args, "--kind");
  query.status = enum_option<ReviewStatus>(args, "--status");
  query.fiscal_year = fiscal_year_option(args);
  if (args.has("--month")) {
    auto month = parse_integer(args.option("--month"));
    if (!month || *month < 1 || *month > 12) throw UsageError{"--month: expected 1 to 12", "--month: 1 から 12 の数を指定してください"};
    query.month = static_cast<int>(*month);
  }
  query.date_from = date_option(args, "--from");
  query.date_to = date_option(args, "--to");
  query.area = args.option("--area");
  query.theme = args.option("--theme");
  query.committee = args.option("--committee");
  query.council = args.option("--council");
  query.team = args.option("--team");
  query.resubmitted_only = args.flag("--resubmitted");
  query.author = args.option("--by");
  query.search = args.option("--search");
  query.include_deleted = args.flag("--deleted");
  query.conflicts_only = args.flag("--conflicts");
  query.limit = 0;
  for (auto [name, target] : {std::pair{"--limit", &query.limit}, std::pair{"--offset", &query.offset}}) {
    if (!args.has(name)) continue;
    auto value = parse_integer(args.option(name));
    if (!value || *value < 0 || *value > 100000000) throw UsageError{std::string(name) + ": expected a number", std::string(name) + ": 数を指定してください"};
    *target = static_cast<int>(*value);
  }
  return query;
}

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] Output
// ---------------------------------------------------------------------------------------------------------------

// A JSON value as the text of a table line: lists one item a line, objects as "key: value" separated by " / ".
std::string cell_text(const json& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "TRUE" : "FALSE";
  if (value.is_number()) return value.dump();
  if (value.is_array()) {
    std::string out;
    for (const auto& item : value) out += (out.empty() ? "" : "\n") + cell_text(item);
    return out;
  }
  std::string out;
  for (const auto& [key, item] : value.items()) {
    std::string text = cell_text(item);
    if (!text.empty()) out += (out.empty() ? "" : " / ") + key + ": " + text;
  }
  return out;
}

// The names a record's references show as, beside the ids it stores (record show).
json reference_names(const Record& record, const ReferenceData& reference) {
  json names = json::object();
  auto list = [&](const char* field, ReferenceKind kind, const std::vector<std::string>& values) {
    if (values.empty()) return;
    json shown = json::array();
    for (const auto& value : values) shown.push_back(reference.name_of(kind, value));
    names[field] = std::move(shown);
  };
  if (!record.council.empty()) names["council"] = reference.name_of(ReferenceKind::Council, record.council);
  list("areas", ReferenceKind::Area, record.areas);
  list("themes", ReferenceKind::Theme, record.themes);
  list("committees", ReferenceKind::Committee, record.committees);
  list("organizations", ReferenceKind::Organization, record.organizations);
  list("work_items", ReferenceKind::WorkItem, record.work_items);
  return names;
}

std::string kind_label(RecordKind kind, bool japanese) {
  static const char* ja[] = {"会議", "ケース検討", "訪問", "その他の取組"};
  return japanese ? ja[static_cast<int>(kind)] : std::string(enum_name(kind));
}

std::string status_label(ReviewStatus status, bool japanese) {
  static const char* ja[] = {"下書き", "提出済", "差戻し", "承認済"};
  return japanese ? ja[static_cast<int>(status)] : std::string(enum_name(status));
}

std::string sync_label(SyncState state, bool japanese) {
  static const char* en[] = {"local", "waiting", "sent", "rejected"};
  static const char* ja[] = {"端末のみ", "未送信", "送信済", "受付拒否"};
  return (japanese ? ja : en)[static_cast<int>(state)];
}

void print_table(const std::vector<RecordSummary>& rows, bool japanese) {
  for (const auto& row : rows) {
    std::string date = row.date;
    if (auto span = stored_date_span(row.date, row.date_end))
      date = !japanese ? format_date_span_iso(*span)
             : span->precision == DatePrecision::Day ? format_wareki_short(span->from)
                                                     : format_date_span(*span);
    std::cout << row.id << "  " << kind_label(row.kind, japanese) << "  " << date << "  "
              << status_label(row.status, japanese) << "  " << sync_label(row.sync_state, japanese) << "  " << row.title
              << (row.deleted ? "  [deleted]" : "") << "\n";
  }
}

// The open conflicts of `record` by field, as `record show` prints them: each field's current value first, then
// every value that lost to it: [{"field", "values": [{"value", "clock", "current": true}, {"value", "clock", "by",
// "device", "at"}]}].
json conflicts_by_field(const Record& record, const std::vector<FieldConflict>& conflicts) {
  json out = json::array();
  for (const FieldConflict& conflict : conflicts) {
    if (out.empty() || out.back().at("field") != conflict.field)
      out.push_back({{"field", conflict.field},
                     {"values", json::array({{{"value", merge_value(record, conflict.field)},
                                              {"clock", field_clock(record, conflict.field)},
                                              {"current", true}}})}});
    out.back()["values"].push_back({{"value", conflict.value},
                                    {"clock", conflict.clock},
                                    {"by", conflict.by},
                                    {"device", conflict.device},
                                    {"at", conflict.at}});
  }
  return out;
}

Status write_output(const std::string& path, const std::string& content) {
  if (path.empty() || path == "-") {
    std::cout << content;
    std::cout.flush();
    return std::cout ? ok_status() : make_error("io.write", "-", "cannot write to stdout", "標準出力に書けません");
  }
  return write_file_atomic(platform::path_from_utf8(path), content, 0600);
}

// A report sheet's row for the terminal: cells between " | ".
std::string join_cells(const std::vector<std::string>& cells) {
  std::string line;
  for (std::size_t i = 0; i < cells.size(); ++i) line += (i ? " | " : "") + cells[i];
  return line;
}

struct Context {
  Arguments args;
  bool japanese = false;
  std::filesystem::path data_dir;

  Result<std::unique_ptr<Store>> open_store() const {
    StoreOptions options;
    options.author = args.option("--author");
    return Store::open(data_dir, options);
  }

  // CSV for people: Japanese headers and values unless --lang en (whatever $LANG says: the file is for the office's
  // spreadsheets, not for this terminal), from the catalogue (assets/i18n) that `i18n` loads.
  CsvOptions csv_options(I18n& i18n) const {
    (void)i18n.load(args.option("--lang") == "en" ? "en" : "ja");  // without the catalogue: the keys, still a CSV
    return {[&i18n](const std::string& key) { return std::string(i18n.tr(key)); }};
  }

  // --fy: the fiscal year that dates written without a year ("4/17", "5月") are read in.
  NormalizeOptions normalize_options() const {
    NormalizeOptions options;
    options.fiscal_year = fiscal_year_option(args);
    return options;
  }
};

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] Unlocking the data
// ---------------------------------------------------------------------------------------------------------------

// What to do with a forgotten passphrase, after "wrong passphrase".
constexpr const char* kForgottenHint =
    "If the passphrase is forgotten, nobody can open this data, Tsunagi included. `tsunagi wipe --yes` deletes it\n"
    "(changes not yet synced are lost); then enroll again and `tsunagi restore` what the collector holds.\n";
constexpr const char* kForgottenHintJa =
    "パスフレーズを忘れた場合、このデータは誰にも（つなぎにも）開けません。`tsunagi wipe --yes` で削除し\n"
    "（まだ同期していない変更は失われます）、登録し直してから `tsunagi restore` "
    "で集約サーバーから受け取ってください。\n";

int fail_unlock(const Error& error, bool japanese) {
  int code = fail(error, japanese);
  if (error.code == "store.passphrase") std::cerr << (japanese ? kForgottenHintJa : kForgottenHint);
  return code;
}

// The passphrase given with --passphrase-fd or $TSUNAGI_PASSPHRASE_FILE, or nullopt.
Result<std::optional<std::string>> passphrase_given(const Context& ctx) {
  int fd = -1;
  if (ctx.args.has("--passphrase-fd")) {
    auto parsed = parse_descriptor("--passphrase-fd", ctx.args.option("--passphrase-fd"));
    if (!parsed) return parsed.error();
    fd = *parsed;
  }
  return given_passphrase(fd, "--passphrase-fd", kPassphraseFileVariable);
}

// A new passphrase typed twice at the terminal; nullopt when there is no terminal.
Result<std::optional<std::string>> ask_new_passphrase(bool japanese, const char* first_prompt) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto first = platform::read_secret_line(first_prompt);
    if (!first) return std::optional<std::string>();
    auto normalized = encryption::normalize_passphrase(*first);
    if (!normalized) return normalized.error();
    if (auto status = encryption::check_new_passphrase(*normalized); !status) {
      std::cerr << status.error().describe(japanese) << "\n";
      continue;
    }
    auto again = platform::read_secret_line(japanese ? "もう一度入力してください: " : "Type it again: ");
    if (!again) return std::optional<std::string>();
    if (*again == *first) return std::optional<std::string>(std::move(*first));
    std::cerr << (japanese ? "2 回の入力が一致しません。\n" : "The two do not match.\n");
  }
  return make_error("passphrase.short", "", "no passphrase chosen", "パスフレーズが決まりませんでした");
}

Error no_passphrase_error() {
  return make_error("passphrase.none", "",
                    "the data is encrypted: give its passphrase at the terminal, with --passphrase-fd N, or in the "
                    "file $TSUNAGI_PASSPHRASE_FILE names",
                    "データは暗号化されています。パスフレーズを端末で入力するか、--passphrase-fd N か "
                    "$TSUNAGI_PASSPHRASE_FILE のファイルで渡してください");
}

// Unlocks the data folder for this command (setting its passphrase at its first use, and encrypting a store of an
// earlier version then): from the given passphrase, else asked at the terminal (three tries).
Status unlock_data(const Context& ctx) {
  if (encryption::folder_key(ctx.data_dir)) return ok_status();
  const bool is_new = !encryption::has_key_file(ctx.data_dir);
  std::error_code ec;
  if (is_new && std::filesystem::exists(ctx.data_dir / Store::kFileName, ec))
    std::cerr << (ctx.japanese ? "このデータを暗号化します（初回のみ）。\n" : "Encrypting this data (once).\n");
  auto given = passphrase_given(ctx);
  if (!given) return given.error();
  if (*given) {
    auto key = encryption::unlock_folder(ctx.data_dir, **given);
    if (!key) return key.error();
    return ok_status();
  }
  if (is_new) {
    auto chosen =
        ask_new_passphrase(ctx.japanese, ctx.japanese ? "このデータのパスフレーズを決めてください（8文字以上）: "
                                                      : "Choose a passphrase for this data (8 characters or more): ");
    if (!chosen) return chosen.error();
    if (!*chosen) return no_passphrase_error();
    auto key = encryption::unlock_folder(ctx.data_dir, **chosen);
    if (!key) return key.error();
    return ok_status();
  }
  if (encryption::has_keyring_wrap(ctx.data_dir)) {
    auto key = encryption::unlock_from_keyring(ctx.data_dir);
    if (key) return ok_status();
    std::cerr << "tsunagi: " << key.error().describe(ctx.japanese) << "\n";
  }
  for (int attempt = 0;; ++attempt) {
    auto typed = platform::read_secret_line(ctx.japanese ? "パスフレーズ: " : "Passphrase: ");
    if (!typed) return no_passphrase_error();
    auto key = encryption::unlock_folder(ctx.data_dir, *typed);
    if (key) return ok_status();
    if (key.error().code != "store.passphrase" || attempt == 2) return key.error();
    std::cerr << (ctx.japanese ? "パスフレーズが違います。\n" : "Wrong passphrase.\n");
  }
}

int command_passphrase_change(const Context& ctx) {
  if (!encryption::has_key_file(ctx.data_dir))
    return fail(make_error("passphrase.none", platform::path_to_utf8(ctx.data_dir),
                           "this data folder has no passphrase yet: its first use sets one",
                           "このデータフォルダにはまだパスフレーズがありません。最初に使うときに決めます"),
                ctx.japanese);
  auto old_passphrase = passphrase_given(ctx);
  if (!old_passphrase) return fail(old_passphrase.error(), ctx.japanese);
  if (!*old_passphrase) {
    auto typed = platform::read_secret_line(ctx.japanese ? "今のパスフレーズ: " : "Current passphrase: ");
    if (!typed) {  // changing it takes the current one, even where the login's keyring opens the data
      std::cerr << "tsunagi: "
                << (ctx.japanese ? "パスフレーズを変えるには、今のパスフレーズが必要です\n"
                                 : "changing the passphrase takes the current one\n");
      return fail(no_passphrase_error(), ctx.japanese);
    }
    *old_passphrase = std::move(*typed);
  }
  int fd = -1;
  if (ctx.args.has("--new-passphrase-fd")) {
    auto parsed = parse_descriptor("--new-passphrase-fd", ctx.args.option("--new-passphrase-fd"));
    if (!parsed) return fail(parsed.error(), ctx.japanese);
    fd = *parsed;
  }
  auto new_passphrase = given_passphrase(fd, "--new-passphrase-fd", kNewPassphraseFileVariable);
  if (!new_passphrase) return fail(new_passphrase.error(), ctx.japanese);
  if (!*new_passphrase) {
    auto chosen = ask_new_passphrase(
        ctx.japanese, ctx.japanese ? "新しいパスフレーズ（8文字以上）: " : "New passphrase (8 characters or more): ");
    if (!chosen) return fail(chosen.error(), ctx.japanese);
    if (!*chosen)
      return fail(make_error("passphrase.none", "",
                             "give the new passphrase at the terminal, with --new-passphrase-fd N, or in the file "
                             "$TSUNAGI_NEW_PASSPHRASE_FILE names",
                             "新しいパスフレーズを端末で入力するか、--new-passphrase-fd N か "
                             "$TSUNAGI_NEW_PASSPHRASE_FILE のファイルで渡してください"),
                  ctx.japanese);
    *new_passphrase = std::move(*chosen);
  }
  if (auto status = encryption::change_passphrase(ctx.data_dir, **old_passphrase, **new_passphrase); !status)
    return fail_unlock(status.error(), ctx.japanese);
  std::cout << (ctx.japanese ? "パスフレーズを変更しました。\n" : "Passphrase changed.\n");
  return 0;
}

// `passphrase remember`: the data key wrapped a second time by the login's secret store (model/keyring);
// `passphrase forget` removes that wrapping.
int command_passphrase_keyring(const Context& ctx, bool remember) {
  if (remember) {
    if (auto status = unlock_data(ctx); !status) return fail_unlock(status.error(), ctx.japanese);
    if (auto status = encryption::add_keyring_wrap(ctx.data_dir, encryption::folder_key(ctx.data_dir)); !status)
      return fail(status.error(), ctx.japanese);
    I18n i18n;
    (void)i18n.load(ctx.japanese ? "ja" : "en");
    std::cout << (ctx.japanese ? "このログインでは、パスフレーズなしでデータを開きます（鍵の保管場所: "
                               : "This login now opens the data without its passphrase (the key is kept by ")
              << i18n.tr(std::string("keyring.store.") + keyring::store_name()) << (ctx.japanese ? "）。\n" : ").\n");
    return 0;
  }
  const bool had = encryption::has_keyring_wrap(ctx.data_dir);
  if (auto status = encryption::remove_keyring_wrap(ctx.data_dir); !status) return fail(status.error(), ctx.japanese);
  std::cout << (had ? (ctx.japanese ? "鍵をキーリングから削除しました。次からはパスフレーズが必要です。\n"
                                    : "The key has left the keyring: the passphrase is needed again.\n")
                    : (ctx.japanese ? "このデータの鍵はキーリングにありません。\n"
                                    : "The keyring does not keep this data's key.\n"));
  return 0;
}

// Deletes the device's data: the store, its backups and log, the key file and the enrollment (whose token the lost
// key sealed). What the collector holds comes back with enroll and restore.
int command_wipe(const Context& ctx) {
  if (!ctx.args.flag("--yes")) {
    std::cerr
        << "tsunagi: "
        << (ctx.japanese
                ? "wipe はこの端末のデータ（まだ同期していない変更も）をすべて削除します。--yes を付けてください\n"
                : "wipe deletes all the data on this device, changes not yet synced included: add --yes\n");
    return kExitUsage;
  }
  // The key the login's keyring keeps for this data, if any. Best effort: without the key file it opens nothing.
  if (auto status = encryption::remove_keyring_wrap(ctx.data_dir); !status && encryption::has_key_file(ctx.data_dir))
    std::cerr << "tsunagi: "
              << (ctx.japanese ? "ログインのキーリングに残った鍵（「Tsunagi: フォルダ名」）は削除できませんでした。"
                                 "鍵ファイルがなくなるので、その鍵では何も開けません: "
                               : "the key in the login's keyring (\"Tsunagi: <folder>\") stays there; it opens "
                                 "nothing once the key file is gone: ")
              << status.error().describe(ctx.japanese) << "\n";
  std::error_code ec;
  int removed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(ctx.data_dir, ec)) {
    const std::string name = platform::path_to_utf8(entry.path().filename());
    if (name.rfind(Store::kFileName, 0) == 0 || name == encryption::kKeyFileName ||
        name == encryption::kEnrollmentFileName) {
      std::error_code removal;
      if (std::filesystem::remove(entry.path(), removal)) ++removed;
      if (removal) return fail(make_error("io.write", name, removal.message(), removal.message()), ctx.japanese);
    }
  }
  platform::sync_folder(ctx.data_dir);
  encryption::forget(ctx.data_dir);
  if (removed == 0) {
    std::cout << (ctx.japanese ? "削除するデータはありません: " : "No data to delete in ")
              << platform::path_to_utf8(ctx.data_dir) << "\n";
    return 0;
  }
  std::cout << (ctx.japanese
                    ? "この端末のデータを削除しました（" + std::to_string(removed) +
                          " ファイル）。登録し直してから tsunagi restore を実行してください。\n"
                    : "Deleted this device's data (" + std::to_string(removed) + (removed == 1 ? " file" : " files") +
                          "). Enroll again, then run tsunagi restore.\n");
  return 0;
}

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] Subcommands
// ---------------------------------------------------------------------------------------------------------------

// A filter naming nothing the reference data knows matches only records that hold that text: say so, as an empty
// list alone reads as "no records".
void warn_unknown_filters(const RecordQuery& query, const ReferenceData& reference, bool japanese) {
  const std::pair<const std::string*, ReferenceKind> filters[] = {{&query.council, ReferenceKind::Council},
                                                                  {&query.area, ReferenceKind::Area},
                                                                  {&query.theme, ReferenceKind::Theme},
                                                                  {&query.committee, ReferenceKind::Committee}};
  for (const auto& [value, kind] : filters)
    if (!value->empty() && reference.has_any(kind) && reference.matching_ids(kind, *value).empty())
      std::cerr << (japanese ? "注意: 「" + *value + "」は参照データにありません（その文字のままの記録だけを探します）"
                             : "warning: \"" + *value + "\" is not in the reference data (only records holding that text match)")
                << "\n";
}

// record list and review list: the records `query` matches, as a table, JSON or CSV (--format).
int list_records(const Context& ctx, Store& store, const RecordQuery& query) {
  auto reference = store.reference();
  if (!reference) return fail(reference.error(), ctx.japanese);
  warn_unknown_filters(query, *reference, ctx.japanese);
  std::string format = ctx.args.option("--format", "table");
  if (format == "table") {
    auto rows = store.list(query);
    if (!rows) return fail(rows.error(), ctx.japanese);
    print_table(*rows, ctx.japanese);
    return 0;
  }
  std::ostringstream out;
  Status status = ok_status();
  if (format == "json") {
    json array = json::array();
    status = store.for_each(query, [&array](const Record& r) {
      array.push_back(record_to_json(r));
      return true;
    });
    out << array.dump(2) << "\n";
  } else if (format == "csv") {
    I18n i18n;
    CsvWriter csv(out, *reference, ctx.csv_options(i18n));
    status = store.for_each(query, [&csv](const Record& r) {
      csv.write(r);
      return true;
    });
  } else {
    throw UsageError{"--format: expected table, json or csv", "--format: table、json、csv のどれかを指定してください"};
  }
  if (!status) return fail(status.error(), ctx.japanese);
  if (auto written = write_output("-", out.str()); !written) return fail(written.error(), ctx.japanese);
  return 0;
}

// One history entry as lines of a table, in the words of the window (i18n): when, who (role) on which device,
// what; then a line per changed field, names for ids, text as a word diff ([-removed-]{+added+}).
void print_history_entry(const HistoryEntry& entry, const ReferenceData& reference, I18n& i18n) {
  const bool japanese = i18n.language() == "ja";
  std::string what = i18n.tr(entry.kind == "decision" ? "decision." + entry.decision : "history." + entry.kind);
  std::string role = entry.role.empty() ? "" : i18n.tr("role." + entry.role);
  std::cout << format_local_timestamp(entry.time, japanese) << "  " << entry.who
            << (role.empty() ? "" : japanese ? "（" + role + "）" : " (" + role + ")") << "  "
            << (entry.device_name.empty() ? entry.device : entry.device_name) << "  " << what
            << (entry.edited_by_other ? "  [" + std::string(i18n.tr("review.edited_by_other")) + "]" : "") << "\n";
  if (!entry.comment.empty()) std::cout << "    「" << entry.comment << "」\n";
  for (const FieldChange& change : entry.changes) {
    if (!shown_in_history(entry, change)) continue;
    std::string shown;
    if (!change.diff.empty()) {
      for (const DiffPiece& piece : change.diff)
        shown += piece.op == DiffOp::Same ? piece.text
                 : piece.op == DiffOp::Removed ? "[-" + piece.text + "-]"
                                               : "{+" + piece.text + "+}";
    } else {
      const std::string from = review_value(change.field, change.from, reference, i18n);
      const std::string to = review_value(change.field, change.to, reference, i18n);
      shown = from.empty() ? to : from + " → " + to;
    }
    std::cout << "    " << review_label(change.field, i18n) << ": " << shown << "\n";
  }
}

// record history ID: from the collector when this device is enrolled and reaches it (and kept for reading
// offline), else the copy last kept. A record never sent has a history of one entry, made here.
int command_history(const Context& ctx, Store& store, const std::string& id) {
  const std::string format = ctx.args.option("--format", "table");
  if (format != "json" && format != "table")
    throw UsageError{"--format: expected json or table", "--format: json か table を指定してください"};
  auto enrollment = sync::load_enrollment(ctx.data_dir);
  if (!enrollment) return fail(enrollment.error(), ctx.japanese);
  auto read = sync::read_history(store, *enrollment, id);
  if (!read) {
    const bool unreached = read.error().code.rfind("net.", 0) == 0 || read.error().code.rfind("tls.", 0) == 0;
    return fail(unreached ? read.error().with_context(ctx.japanese ? "履歴は集約サーバーから受け取ります"
                                                                   : "the history comes from the collector")
                          : read.error(),
                ctx.japanese);
  }
  if (read->unreached && !read->kept_at.empty())
    std::cerr << (ctx.japanese ? "注意: 集約サーバーにつながらないため、" + format_local_timestamp(read->kept_at, true) +
                                     " に受け取った履歴を表示します"
                               : "warning: the collector cannot be reached: the history as received " +
                                     format_local_timestamp(read->kept_at, false))
              << "\n";
  else if (read->unreached)
    std::cerr << (ctx.japanese ? "注意: 集約サーバーにつながらないため、この端末にある作成時の内容だけを表示します"
                               : "warning: the collector cannot be reached: only the record's creation, as this device has it")
              << "\n";
  if (format == "json") {
    std::cout << history_json(read->entries).dump(2) << "\n";
  } else {
    I18n i18n;
    (void)i18n.load(ctx.japanese ? "ja" : "en");  // without the catalogue: the keys, still a table
    auto reference = store.reference();
    if (!reference) return fail(reference.error(), ctx.japanese);
    for (const HistoryEntry& entry : read->entries) print_history_entry(entry, *reference, i18n);
  }
  return 0;
}

int command_record(const Context& ctx) {
  const auto& pos = ctx.args.positional();  // command_line() saw to the words: an action, and an id where needed
  const std::string& action = pos[1];
  auto store = ctx.open_store();
  if (!store) return fail(store.error(), ctx.japanese);

  if (action == "add") {
    if (!ctx.args.has("--json")) throw UsageError{"record add: --json FILE|- is required", "record add: --json ファイル名（標準入力なら -）が必要です"};
    auto text = read_input(ctx.args.option("--json"));
    if (!text) return fail(text.error(), ctx.japanese);
    auto record = parse_record(*text);
    if (!record) return fail(record.error(), ctx.japanese);
    auto notes = normalize_record(*record, ctx.normalize_options());
    auto created = (*store)->create(std::move(*record));
    if (!created) return fail(created.error(), ctx.japanese);
    print_warnings(*created, *(*store)->reference(), ctx.japanese, std::move(notes));
    std::cout << created->id << "\n";
    return 0;
  }
  if (action == "list") return list_records(ctx, **store, query_from(ctx.args, (*store)->author()));
  const std::string& id = pos[2];
  if (action == "show") {
    auto record = (*store)->get(id);
    if (!record) return fail(record.error(), ctx.japanese);
    if (!*record)
      return fail(make_error("record.not_found", "", "no record " + id, "記録 " + id + " はありません"),
                  ctx.japanese);
    std::string format = ctx.args.option("--format", "json");
    auto conflicts = (*store)->conflicts(id);
    if (!conflicts) return fail(conflicts.error(), ctx.japanese);
    auto reference = (*store)->reference();
    if (!reference) return fail(reference.error(), ctx.japanese);
    auto comments = (*store)->comments(id);
    if (!comments) return fail(comments.error(), ctx.japanese);
    // Stored ids, and the names they show as beside them ("names"); a table shows the names in their place.
    const json names = reference_names(**record, *reference);
    if (format == "json") {
      json shown = record_to_json(**record);
      if (!names.empty()) shown["names"] = names;
      if (!conflicts->empty()) shown["conflicts"] = conflicts_by_field(**record, *conflicts);
      shown["comments"] = json::array();
      for (const Comment& comment : *comments) shown["comments"].push_back(comment_to_json(comment));
      std::cout << shown.dump(2) << "\n";
    } else if (format == "table") {
      const json object = record_to_json(**record);  // items() must not outlive the object it iterates
      for (const auto& [key, value] : object.items())
        std::cout << key << ": " << cell_text(names.contains(key) ? names[key] : value) << "\n";
      for (const auto& conflict : conflicts_by_field(**record, *conflicts))
        for (const auto& value : conflict.at("values")) {
          const std::string source = value.value("current", false)
                                         ? (ctx.japanese ? "現在の値" : "current")
                                         : value.value("by", std::string()) + " " + value.value("at", std::string());
          std::cout << (ctx.japanese ? "競合 " : "conflict ") << conflict.at("field").get<std::string>() << ": "
                    << cell_text(value.at("value")) << " (" << source << ")\n";
        }
      I18n i18n;  // the window's words for a decision
      (void)i18n.load(ctx.japanese ? "ja" : "en");
      for (const Comment& comment : *comments)
        std::cout << i18n.tr("review.thread") << " " << format_local_timestamp(comment.time, ctx.japanese) << " "
                  << comment.author
                  << (comment.decision.empty() ? "" : " [" + std::string(i18n.tr("decision." + comment.decision)) + "]")
                  << ": " << comment.text << "\n";
    } else {
      throw UsageError{"--format: expected json or table", "--format: json か table を指定してください"};
    }
    return 0;
  }
  if (action == "edit") {
    if (!ctx.args.has("--json")) throw UsageError{"record edit: --json FILE|- is required", "record edit: --json ファイル名（標準入力なら -）が必要です"};
    auto text = read_input(ctx.args.option("--json"));
    if (!text) return fail(text.error(), ctx.japanese);
    auto patch = parse_json_text(*text);
    if (!patch) return fail(patch.error(), ctx.japanese);
    std::vector<ValidationIssue> notes;
    if (patch->is_object() && (patch->contains("date") || patch->contains("date_end"))) {
      // A date written as the seeds write it is read here, where --fy is known.
      Record dated;
      dated.date = patch->value("date", std::string());
      dated.date_end = patch->value("date_end", std::string());
      notes = normalize_record(dated, ctx.normalize_options());
      if (patch->contains("date")) {
        (*patch)["date"] = dated.date;
        (*patch)["date_end"] = dated.date_end;
        (*patch)["date_precision"] = std::string(enum_name(dated.date_precision));
      }
    }
    auto stored = (*store)->get(id);
    if (!stored) return fail(stored.error(), ctx.japanese);
    if (*stored)
      if (auto refusal = submitted_edit_refusal(**stored, *patch, (*store)->author()))
        return fail(*refusal, ctx.japanese);
    auto updated = (*store)->update(id, *patch);
    if (!updated) return fail(updated.error(), ctx.japanese);
    print_warnings(*updated, *(*store)->reference(), ctx.japanese, std::move(notes));
    std::cout << updated->id << "\n";
    return 0;
  }
  if (action == "delete") {
    if (auto status = (*store)->remove(id); !status) return fail(status.error(), ctx.japanese);
    return 0;
  }
  if (action == "history") return command_history(ctx, **store, id);
  if (action == "resolve") {
    const std::string& field = pos[3];
    auto record = (*store)->get(id);
    auto conflicts = (*store)->conflicts(id);
    if (!record || !conflicts) return fail((!record ? record.error() : conflicts.error()), ctx.japanese);
    json values = json::array();  // as record show lists them: the current value first
    if (*record)
      for (const auto& conflict : conflicts_by_field(**record, *conflicts))
        if (conflict.at("field") == field) values = conflict.at("values");
    if (values.empty())
      return fail(make_error("conflict.none", "/" + field, "no open conflict on " + field + " of record " + id,
                             "記録 " + id + " の " + field + " に未解決の競合はありません"),
                  ctx.japanese);
    std::optional<json> taken;  // nullopt: keep the current value
    if (ctx.args.has("--take")) {
      const std::string& text = ctx.args.option("--take");
      const std::size_t n = std::all_of(text.begin(), text.end(), ::isdigit) && !text.empty() && text.size() < 6
                                ? static_cast<std::size_t>(std::stoul(text))
                                : 0;
      if (n == 0 || n >= values.size())
        throw UsageError{"--take: expected the number of a kept value of " + field + " (record show lists them)",
                         "--take: " + field + " に残っている値の番号を指定してください（record show で確認できます）"};
      taken = values[n].at("value");
    }
    auto resolved = (*store)->resolve_conflict(id, field, taken);
    if (!resolved) return fail(resolved.error(), ctx.japanese);
    std::cout << resolved->id << "\n";
    return 0;
  }
  throw UsageError{"record: unknown action \"" + action + "\"", "record: 「" + action + "」という操作はありません"};
}

// The role of the user this device is enrolled for; "staff" for a device that is not enrolled (decisions are the
// collector's to allow: the role only keeps a device from offering what it would refuse).
Result<std::string> enrolled_role(const Context& ctx) {
  auto enrollment = sync::load_enrollment(ctx.data_dir);
  if (!enrollment) return enrollment.error();
  return *enrollment ? (*enrollment)->role : std::string("staff");
}

// review list|approve|return|reopen: the supervisor's queue and decisions, made here and sent with the next sync.
int command_review(const Context& ctx) {
  const auto& pos = ctx.args.positional();
  const std::string& action = pos[1];
  auto store = ctx.open_store();
  if (!store) return fail(store.error(), ctx.japanese);
  if (action == "list") {
    RecordQuery query = query_from(ctx.args, (*store)->author());
    if (query.status && *query.status != ReviewStatus::Submitted)
      throw UsageError{"review list: lists submitted records (use record list --status)",
                       "review list: 提出済みの記録を表示します（ほかは record list --status で）"};
    query.status = ReviewStatus::Submitted;
    query.not_author = (*store)->author();  // another supervisor approves these
    query.sort = SortColumn::Updated;  // the one waiting longest first
    query.descending = false;
    return list_records(ctx, **store, query);
  }
  auto role = enrolled_role(ctx);
  if (!role) return fail(role.error(), ctx.japanese);
  const std::vector<std::string> ids(pos.begin() + 2, pos.end());
  ReviewDecision decision = action == "approve"  ? ReviewDecision::Approve
                            : action == "return" ? ReviewDecision::Return
                                                 : ReviewDecision::Reopen;
  const std::string comment = ctx.args.option("--comment");
  auto decided = (*store)->review(ids, decision, comment, *role);
  if (!decided) return fail(decided.error(), ctx.japanese);
  for (const Record& record : *decided) std::cout << record.id << "\n";
  return 0;
}

// comment add ID --text TEXT
int command_comment(const Context& ctx) {
  if (!ctx.args.has("--text")) throw UsageError{"comment add: --text TEXT is required", "comment add: --text 本文 が必要です"};
  auto role = enrolled_role(ctx);
  if (!role) return fail(role.error(), ctx.japanese);
  auto store = ctx.open_store();
  if (!store) return fail(store.error(), ctx.japanese);
  auto comment = (*store)->add_comment(ctx.args.positional()[2], ctx.args.option("--text"), *role);
  if (!comment) return fail(comment.error(), ctx.japanese);
  std::cout << comment->id << "\n";
  return 0;
}

int command_import(const Context& ctx) {
  auto text = read_input(ctx.args.positional()[1]);
  if (!text) return fail(text.error(), ctx.japanese);
  auto records = parse_record_array(*text);
  if (!records) return fail(records.error().with_context(ctx.args.positional()[1]), ctx.japanese);
  const NormalizeOptions normalize = ctx.normalize_options();
  for (std::size_t i = 0; i < records->size(); ++i)
    for (const auto& note : normalize_record((*records)[i], normalize))
      std::cerr << (ctx.japanese ? "注意" : "warning") << ": " << (ctx.japanese ? "記録 " : "record ") << i + 1 << ": "
                << note.path << ": " << (ctx.japanese ? note.message_ja : note.message) << "\n";
  auto store = ctx.open_store();
  if (!store) return fail(store.error(), ctx.japanese);
  std::size_t total = records->size();
  auto written = (*store)->import_records(std::move(*records));
  if (!written) return fail(written.error().with_context(ctx.args.positional()[1]), ctx.japanese);
  std::cerr << (ctx.japanese ? "取り込み: " : "imported: ") << *written << " / " << total << "\n";
  return 0;
}

int command_export(const Context& ctx) {
  std::string format = ctx.args.option("--format", "json");
  if (format != "json" && format != "csv") throw UsageError{"export: --format json|csv", "export: --format は json か csv です"};
  if (!ctx.args.has("--out")) throw UsageError{"export: --out FILE is required", "export: --out ファイル名が必要です"};
  auto store = ctx.open_store();
  if (!store) return fail(store.error(), ctx.japanese);
  RecordQuery query = query_from(ctx.args, (*store)->author());
  query.sort = SortColumn::Date;
  query.descending = false;
  std::ostringstream out;
  Status status = ok_status();
  std::size_t count = 0;
  if (format == "csv") {
    auto reference = (*store)->reference();
    if (!reference) return fail(reference.error(), ctx.japanese);
    I18n i18n;
    CsvWriter csv(out, *reference, ctx.csv_options(i18n));
    status = (*store)->for_each(query, [&](const Record& r) {
      csv.write(r);
      ++count;
      return true;
    });
  } else {
    out << "[";
    status = (*store)->for_each(query, [&](const Record& r) {
      out << (count++ ? ",\n" : "\n") << record_to_json(r).dump(-1, ' ', false, json::error_handler_t::replace);
      return true;
    });
    out << "\n]\n";
  }
  if (!status) return fail(status.error(), ctx.japanese);
  if (auto written = write_output(ctx.args.option("--out"), out.str()); !written)
    return fail(written.error(), ctx.japanese);
  std::cerr << (ctx.japanese ? "書き出し: " : "exported: ") << count << "\n";
  return 0;
}

// [SECTION] Sync commands

// How enroll and admin exit on a failed request, as sync does (0 done, 2 offline, 3 not enrolled, 5 pin mismatch).
int network_exit_code(const Error& error) {
  if (error.code == "tls.pin_mismatch") return sync::sync_exit_code(sync::SyncResult::PinMismatch);
  if (error.code.rfind("net.", 0) == 0) return sync::sync_exit_code(sync::SyncResult::Offline);
  if (error.code.rfind("enroll.", 0) == 0 || error.code == "auth.token")
    return sync::sync_exit_code(sync::SyncResult::NotEnrolled);
  return kExitError;
}

int command_enroll(const Context& ctx) {
  sync::EnrollmentLine line;
  if (ctx.args.positional().size() >= 2) {
    auto parsed = sync::parse_enrollment_line(ctx.args.positional()[1]);
    if (!parsed) return fail(parsed.error(), ctx.japanese);
    line = *parsed;
  } else {
    line = {ctx.args.option("--server"), ctx.args.option("--code"), ctx.args.option("--pin")};
    if (line.server.empty() || line.code.empty() || (line.pin.empty() && !ctx.args.has("--ca")))
      throw UsageError{"enroll: give the line from tsunagi-collector, or --server, --code and --pin (or --ca)",
                       "enroll: 事務所から受け取った登録用の行か、--server・--code・--pin（または --ca）を指定してください"};
    if (!line.pin.empty())
      if (auto checked = sync::check_pin(line.pin); !checked) return fail(checked.error(), ctx.japanese);
  }
  sync::TlsTrust trust{line.pin, ctx.args.option("--ca")};
  std::string device_name = ctx.args.option("--device-name");
  if (device_name.empty()) device_name = platform::host_name();
  auto transport = sync::make_curl_transport(line.server, trust);
  auto enrollment = sync::enroll_device(*transport, line.server, trust, line.code, device_name);
  if (!enrollment) {
    fail(enrollment.error(), ctx.japanese);
    return network_exit_code(enrollment.error());
  }
  if (auto status = sync::save_enrollment(ctx.data_dir, *enrollment); !status)
    return fail(status.error(), ctx.japanese);
  auto store = ctx.open_store();
  if (!store) return fail(store.error(), ctx.japanese);
  if (auto status = sync::adopt_enrollment(**store, *enrollment); !status) return fail(status.error(), ctx.japanese);
  std::cout << (ctx.japanese ? "登録しました: " : "enrolled: ") << enrollment->user_name << " (" << enrollment->role
            << ") " << enrollment->server << " device " << enrollment->device_id << "\n";
  return 0;
}

// A report's sheet name in a workbook (at most 31 characters).
// --fy (required) and --council of a report command, with the council resolved by the reference data.
ReportScope report_scope(const Context& ctx, const ReferenceData& reference) {
  if (!ctx.args.has("--fy")) throw UsageError{"report: --fy YEAR is required", "report: --fy 年度 が必要です"};
  ReportScope scope{*fiscal_year_option(ctx.args), "", ctx.args.flag("--provisional")};
  if (ctx.args.has("--council")) {
    auto council = reference.resolve(ReferenceKind::Council, ctx.args.option("--council"));
    if (!council)
      throw UsageError{"--council: no council \"" + ctx.args.option("--council") + "\"",
                       "--council: 協議会「" + ctx.args.option("--council") + "」がありません"};
    scope.council = *council;
  }
  return scope;
}

// What `text` names among the entries `kind` is kept for: a project of the fiscal year (progress) or an indicator
// (actual), by id or name. Returns its id and the council it belongs to (empty: every council's).
std::optional<std::pair<std::string, std::string>> report_entry_key(const ReferenceData& reference, const std::string& kind,
                                                                    const std::string& text, const ReportScope& scope) {
  if (kind == kProgressEntry) {
    for (const Project& project : reference.projects)
      if (project.fiscal_year == scope.fiscal_year &&
          (project.id == text || project.name == text || project.number == normalize_width(text)) &&
          (scope.council.empty() || project.council == scope.council))
        return std::pair(project.id, project.council);
    return std::nullopt;
  }
  for (const json& indicator : reference.indicators)
    if (indicator.is_object() && (indicator.value("id", "") == text || indicator.value("name", "") == text))
      return std::pair(indicator.value("id", ""), indicator.value("council", scope.council));
  return std::nullopt;
}

// report set progress PROJECT | actual INDICATOR --fy YEAR ...: a supervisor's evaluation of a project, or a
// figure no record holds, as a new version of its entry (what is not given stays as the current version has it);
// sent with the next sync, its history kept.
int command_report_set(const Context& ctx) {
  const std::string& kind = ctx.args.positional()[2];
  if (kind != kProgressEntry && kind != kActualEntry)
    throw UsageError{"report set: expected progress or actual", "report set: progress か actual を指定してください"};
  static const std::vector<std::pair<const char*, const char*>> kProgressOptions{
      {"--status", "status"}, {"--work-done", "work_done"}, {"--figures-actual", "figures_actual"},
      {"--analysis", "analysis"}, {"--next-plan", "next_plan"}};
  static const std::vector<std::pair<const char*, const char*>> kActualOptions{{"--value", "value"}, {"--note", "note"}};
  const auto& options = kind == kProgressEntry ? kProgressOptions : kActualOptions;
  for (const auto& [option, field] : kind == kProgressEntry ? kActualOptions : kProgressOptions)
    if (ctx.args.has(option))
      throw UsageError{std::string("report set ") + kind + ": " + option + " is not one of its fields",
                       std::string("report set ") + kind + ": " + option + " は指定できません"};
  if (std::none_of(options.begin(), options.end(), [&](const auto& o) { return ctx.args.has(o.first); }))
    throw UsageError{kind == kProgressEntry ? "report set progress: give at least one of --status, --work-done, "
                                              "--figures-actual, --analysis, --next-plan"
                                            : "report set actual: --value NUMBER is required",
                     kind == kProgressEntry ? "report set progress: --status・--work-done・--figures-actual・"
                                              "--analysis・--next-plan のどれかを指定してください"
                                            : "report set actual: --value 数値 が必要です"};
  auto role = enrolled_role(ctx);
  if (!role) return fail(role.error(), ctx.japanese);
  if (*role != "supervisor" && *role != "admin")
    return fail(make_error("report_entry.role", "/role",
                           "only supervisors and admins write report entries (this device is enrolled as " + *role + ")",
                           "進捗状況と実績値は管理者だけが入力できます（この端末の登録: " + *role + "）"),
                ctx.japanese);
  auto store = ctx.open_store();
  if (!store) return fail(store.error(), ctx.japanese);
  auto reference = (*store)->reference();
  if (!reference) return fail(reference.error(), ctx.japanese);
  const ReportScope scope = report_scope(ctx, *reference);
  const std::string& text = ctx.args.positional()[3];
  auto key = report_entry_key(*reference, kind, text, scope);
  if (!key)
    return fail(make_error("report_entry.key", "/key",
                           (kind == kProgressEntry ? "no project \"" : "no indicator \"") + text + "\" in " +
                               std::to_string(scope.fiscal_year),
                           (kind == kProgressEntry ? "事業「" : "指標「") + text + "」が" +
                               format_fiscal_year(scope.fiscal_year) + "の基本情報にありません"),
                ctx.japanese);
  std::string council = scope.council.empty() ? key->second : scope.council;
  if (council.empty() && reference->councils.size() == 1) council = reference->councils.front().id;
  if (council.empty())  // an entry is a council's: the collector takes one only for the writer's own
    throw UsageError{"report set: --council ID is required (the reference data has several councils)",
                     "report set: --council 協議会 を指定してください（基本情報に複数の協議会があります）"};
  // The current version's fields, with what was given put in.
  json fields = json::object();
  auto versions = (*store)->report_entries(council, scope.fiscal_year);
  if (!versions) return fail(versions.error(), ctx.japanese);
  for (const ReportEntry& entry : current_report_entries(*versions))
    if (entry.kind == kind && entry.key == key->first && entry.council == council) fields = entry.fields;
  for (const auto& [option, field] : options) {
    if (!ctx.args.has(option)) continue;
    const std::string value = ctx.args.option(option);
    if (std::string(field) != "value") {
      fields[field] = value;
      continue;
    }
    const std::optional<double> parsed = parse_figure(value);
    if (!parsed)
      throw UsageError{"--value: \"" + value + "\" is not a figure (a number of 0 or more)",
                       "--value: 「" + value + "」は実績値として読めません（0 以上の数値）"};
    fields[field] = *parsed;
  }
  auto entry = (*store)->add_report_entry(council, scope.fiscal_year, kind, key->first, fields, *role);
  if (!entry) return fail(entry.error(), ctx.japanese);
  std::cout << entry->id << "\n";
  return 0;
}

// report history progress PROJECT | actual INDICATOR --fy YEAR: every version of an entry, oldest first.
int command_report_history(const Context& ctx) {
  const std::string& kind = ctx.args.positional()[2];
  if (kind != kProgressEntry && kind != kActualEntry)
    throw UsageError{"report history: expected progress or actual", "report history: progress か actual を指定してください"};
  auto store = ctx.open_store();
  if (!store) return fail(store.error(), ctx.japanese);
  auto reference = (*store)->reference();
  if (!reference) return fail(reference.error(), ctx.japanese);
  const ReportScope scope = report_scope(ctx, *reference);
  auto key = report_entry_key(*reference, kind, ctx.args.positional()[3], scope);
  auto versions = (*store)->report_entries(scope.council, scope.fiscal_year);
  if (!versions) return fail(versions.error(), ctx.japanese);
  json list = json::array();
  for (const ReportEntry& entry : *versions)
    if (entry.kind == kind && entry.key == (key ? key->first : ctx.args.positional()[3]))
      list.push_back(report_entry_to_json(entry));
  if (ctx.args.option("--format", "table") == "json") {
    std::cout << list.dump(2) << "\n";
    return 0;
  }
  for (const json& version : list) {
    std::cout << format_local_timestamp(version.value("time", ""), ctx.japanese) << "  " << version.value("author", "")
              << "  " << version.value("device_name", "") << "\n";
    for (const auto& [field, value] : version["fields"].items())
      std::cout << "    " << field << ": " << (value.is_string() ? value.get<std::string>() : value.dump()) << "\n";
  }
  return 0;
}

// report indicators|committee|themes|progress: computed from what this device holds, offline as well.
int command_report(const Context& ctx) {
  const std::string& which = ctx.args.positional()[1];
  const bool all = which == "all";
  if (!all && std::find(kReportNames.begin(), kReportNames.end(), which) == kReportNames.end())
    throw UsageError{"report: expected indicators, progress, committee, themes or all",
                     "report: indicators・progress・committee・themes・all のどれかを指定してください"};
  const std::string format = ctx.args.option("--format", all ? "xlsx" : "table");
  if (format != "table" && format != "json" && format != "csv" && format != "xlsx")
    throw UsageError{"--format: expected table, json, csv or xlsx",
                     "--format: table、json、csv、xlsx のどれかを指定してください"};
  if (all && format != "xlsx")
    throw UsageError{"report all: one workbook of every report (--format xlsx)",
                     "report all: すべての報告書を1つのブックにします（--format xlsx）"};
  if (format == "xlsx" && !ctx.args.has("--out"))
    throw UsageError{"report --format xlsx: --out FILE.xlsx is required", "report --format xlsx: --out ファイル名.xlsx が必要です"};
  ReportScope scope;
  {
    auto store = ctx.open_store();
    if (!store) return fail(store.error(), ctx.japanese);
    auto reference = (*store)->reference();
    if (!reference) return fail(reference.error(), ctx.japanese);
    scope = report_scope(ctx, *reference);
  }
  auto results = compute_reports(ctx.data_dir, scope);
  if (!results) return fail(results.error(), ctx.japanese);
  // Spreadsheets are for the office: Japanese unless --lang en, whatever $LANG says (as export's CSV).
  const bool english = format == "csv" || format == "xlsx" ? ctx.args.option("--lang") == "en" : !ctx.japanese;
  if (format == "xlsx") {
    std::vector<XlsxSheet> sheets;
    for (const std::string& name : kReportNames)
      if (all || name == which) sheets.push_back(report_sheet(*results, name, english));
    if (auto written = write_report_xlsx(platform::path_from_utf8(ctx.args.option("--out")), sheets); !written)
      return fail(written.error(), ctx.japanese);
    return 0;
  }
  const ReportSheet sheet = report_sheet(*results, which, english).sheet;
  json document = which == "indicators" ? indicator_report_json(results->indicators)
                  : which == "committee" ? committee_report_json(results->committee)
                  : which == "progress"  ? progress_report_json(results->progress)
                                         : theme_report_json(results->themes, results->reference);
  std::string out;
  if (format == "json") {
    out = document.dump(2) + "\n";
  } else if (format == "csv") {
    out = sheet_csv(sheet);
  } else {
    out = sheet.title + "\n";
    out += join_cells(sheet.header) + "\n";
    std::map<std::string, const Record*> by_id;
    for (const Record& record : results->records) by_id[record.id] = &record;
    for (std::size_t r = 0; r < sheet.rows.size(); ++r) {
      out += join_cells(sheet.rows[r]) + "\n";
      if (!ctx.args.flag("--records") || r >= sheet.row_records.size()) continue;
      for (const std::string& id : sheet.row_records[r])  // --records: what each figure counted
        if (auto found = by_id.find(id); found != by_id.end())
          out += "    " + id + "  " + found->second->date + "  " + found->second->title + "\n";
    }
  }
  if (auto written = write_output(ctx.args.option("--out", "-"), out); !written) return fail(written.error(), ctx.japanese);
  return 0;
}

// admin ...: an admin's device manages the collector's users, devices and reference data (online; the collector
// refuses anyone else).
int command_admin(const Context& ctx) {
  const auto& pos = ctx.args.positional();
  const std::string what = pos[1] + " " + pos[2];
  auto enrollment = sync::load_enrollment(ctx.data_dir);
  if (!enrollment) return fail(enrollment.error(), ctx.japanese);
  if (!*enrollment) {
    fail(make_error("sync.not_enrolled", "", "this device is not enrolled: admin commands go to the collector",
                    "この端末は登録されていません（admin コマンドは集約サーバーに送ります）"),
         ctx.japanese);
    return sync::sync_exit_code(sync::SyncResult::NotEnrolled);
  }
  const sync::Enrollment& enrolled = **enrollment;
  json body = json::object();
  const char* path = nullptr;
  std::function<std::string(const json&)> text;
  std::string format = ctx.args.option("--format", "table");
  if (format != "table" && format != "json")
    throw UsageError{"--format: expected table or json", "--format: table か json を指定してください"};
  auto expires = [&ctx, &body] {
    if (!ctx.args.has("--expires")) return;
    try {
      body["expires_hours"] = std::stod(ctx.args.option("--expires"));
    } catch (...) {
      throw UsageError{"--expires: expected hours", "--expires: 時間数を指定してください"};
    }
  };
  const std::string server = ctx.args.option("--url", enrolled.server);
  auto code_text = [server](const json& issued) { return sync::enrollment_code_text(issued, server); };
  if (what == "user add" || what == "user code") {
    if (ctx.args.option("--name").empty())
      throw UsageError{"admin " + what + ": --name is required", "admin " + what + ": --name 名前 が必要です"};
    body["name"] = ctx.args.option("--name");
    expires();
    if (what == "user add") {
      body["role"] = ctx.args.option("--role", "staff");
      body["team"] = ctx.args.option("--team");
      body["committees"] = ctx.args.options("--committee");
      body["council"] = ctx.args.option("--council");
    }
    path = what == "user add" ? sync::kAdminUserAddPath : sync::kAdminUserCodePath;
    text = code_text;
  } else if (what == "user list") {
    path = sync::kAdminUsersPath;
    text = sync::users_text;
  } else if (what == "device list") {
    path = sync::kAdminDevicesPath;
    text = sync::devices_text;
  } else if (what == "device revoke") {
    path = sync::kAdminDeviceRevokePath;
    body["device_id"] = pos[3];
    text = [](const json& answer) { return "revoked " + answer.value("revoked", "") + "\n"; };
  } else {  // reference import: command_line() allows no other
    // Checked here first: the collector reads it the same way.
    auto reference = load_reference_file(platform::path_from_utf8(pos[3]));
    if (!reference) return fail(reference.error(), ctx.japanese);
    path = sync::kAdminReferencePath;
    body["reference"] = reference_to_json(*reference);
    body["replace"] = ctx.args.flag("--replace");
    text = sync::reference_import_text;
  }
  auto transport = sync::make_curl_transport(enrolled.server, enrolled.trust);
  auto answer = sync::post_request(*transport, enrolled, path, body, "admin " + what);
  if (!answer) {
    fail(answer.error(), ctx.japanese);
    return network_exit_code(answer.error());
  }
  std::cout << (format == "json" ? answer->dump(2) + "\n" : text(*answer));
  return 0;
}

void print_progress(const sync::SyncProgress& p, bool japanese) {
  if (!japanese) {
    std::cerr << "sync " << sync::sync_phase_name(p.phase) << ": sent " << p.records_sent << ", received "
              << p.records_received << ", waiting " << p.waiting << " (" << p.bytes_sent << " B out, "
              << p.bytes_received << " B in)\n";
    return;
  }
  static const char* phases[] = {"待機", "送信中", "受信中", "完了", "失敗"};
  std::cerr << "同期 " << phases[static_cast<int>(p.phase)] << ": 送信 " << p.records_sent << " 件、受信 "
            << p.records_received << " 件、未送信 " << p.waiting << " 件（送った量 " << p.bytes_sent
            << " バイト、受けた量 " << p.bytes_received << " バイト）\n";
}

int command_sync(const Context& ctx, bool restore) {
  auto enrollment = sync::load_enrollment(ctx.data_dir);
  if (!enrollment) return fail(enrollment.error(), ctx.japanese);
  auto store = ctx.open_store();
  if (!store) return fail(store.error(), ctx.japanese);
  if (!*enrollment) {
    auto waiting = (*store)->outbox_size();
    fail(make_error(
             "sync.not_enrolled", "",
             "this device is not enrolled: ask the office for an enrollment line and run tsunagi enroll \"LINE\" (" +
                 std::to_string(waiting ? *waiting : 0) + " changes wait)",
             "この端末は登録されていません。事務所から登録用の行をもらい tsunagi enroll \"行\" "
             "を実行してください（未送信 " +
                 std::to_string(waiting ? *waiting : 0) + " 件）"),
         ctx.japanese);
    return sync::sync_exit_code(sync::SyncResult::NotEnrolled);
  }
  auto transport = sync::make_curl_transport((*enrollment)->server, (*enrollment)->trust);
  sync::SyncEngine engine(**store, *transport, **enrollment);
  auto progress = [&ctx](const sync::SyncProgress& p) {
    if (p.phase == sync::SyncPhase::Pushing || p.phase == sync::SyncPhase::Pulling) print_progress(p, ctx.japanese);
  };
  sync::SyncOutcome outcome = restore ? engine.restore(progress) : engine.run(progress);
  if (auto status = sync::remember_pins(ctx.data_dir, **enrollment, outcome); !status) fail(status.error(), ctx.japanese);
  for (const auto& rejection : outcome.rejections) fail(rejection.error, ctx.japanese);
  if (outcome.result == sync::SyncResult::Done || outcome.result == sync::SyncResult::Rejected) {
    print_progress(outcome.progress, ctx.japanese);
  } else {
    Error error = outcome.error;
    if (outcome.result == sync::SyncResult::Offline)
      error = error.with_context(ctx.japanese ? "未送信 " + std::to_string(outcome.progress.waiting) +
                                                    " 件は端末に残り、次の同期で送ります"
                                              : std::to_string(outcome.progress.waiting) +
                                                    " changes stay on this device for the next sync");
    if (outcome.result == sync::SyncResult::PinMismatch)
      error = error.with_context(
          ctx.japanese ? "同期を止めました。集約サーバーの鍵が変わったのなら、事務所から新しい登録用の行をもらい "
                         "tsunagi enroll で登録し直してください（未送信の変更は端末に残ります）"
                       : "sync stopped; if the collector's key was changed, ask the office for a new enrollment line "
                         "and run tsunagi enroll again (waiting changes stay on this device)");
    fail(error, ctx.japanese);
  }
  return sync::sync_exit_code(outcome.result);
}

int command_status(const Context& ctx) {
  auto enrollment = sync::load_enrollment(ctx.data_dir);
  if (!enrollment) return fail(enrollment.error(), ctx.japanese);
  auto store = ctx.open_store();
  if (!store) return fail(store.error(), ctx.japanese);
  auto waiting = (*store)->outbox_size();
  auto last = (*store)->setting("sync.last_success");
  if (*enrollment)
    std::cout << "server: " << (*enrollment)->server << "\nuser: " << (*enrollment)->user_name << " ("
              << (*enrollment)->role << ")\ndevice: " << (*enrollment)->device_id << "\n";
  else
    std::cout << "not enrolled\n";
  auto comments = (*store)->pending_comment_count();
  auto entries = (*store)->pending_report_entry_count();
  std::cout << "waiting: " << (waiting ? *waiting : 0) << "\ncomments waiting: " << (comments ? *comments : 0)
            << "\nreport entries waiting: " << (entries ? *entries : 0) << "\nlast sync: " << (last && !last->empty() ? *last : "never") << "\n";
  return 0;
}

int command_window(const Context& ctx) {
  if (ctx.args.flag("--demo")) {
    auto store = ctx.open_store();
    if (!store) return fail(store.error(), ctx.japanese);
    if (auto status = load_demo_once(**store); !status) return fail(status.error(), ctx.japanese);
  }
  WindowOptions options;
  options.data_dir = ctx.data_dir;
  options.author = ctx.args.option("--author");
  options.screenshot = platform::path_from_utf8(ctx.args.option("--screenshot"));
  options.screen = ctx.args.option("--screen", "list");
  options.language = ctx.args.option("--lang");
  options.timing = ctx.args.flag("--timing");
  options.drawn_text = platform::path_from_utf8(ctx.args.option("--drawn-text"));
  if (!options.drawn_text.empty() && options.screenshot.empty())
    throw UsageError{"--drawn-text: only with --screenshot (the text of that picture)",
                     "--drawn-text: --screenshot と一緒に使います"};
  options.report_year = fiscal_year_option(ctx.args).value_or(0);
  options.focus = ctx.args.option("--focus");
  if (!options.focus.empty() && options.focus != "search") throw UsageError{"--focus: expected search", "--focus: search を指定してください"};
  if (ctx.args.has("--frames")) {
    const std::string frames = ctx.args.option("--frames");
    char* end = nullptr;
    const long count = std::strtol(frames.c_str(), &end, 10);
    if (end == frames.c_str() || *end != '\0' || count < 1 || count > 1000000)
      throw UsageError{"--frames: expected a number of frames (1 or more)", "--frames: 1 以上のフレーム数を指定してください"};
    options.frames = static_cast<int>(count);
  }
  if (options.screenshot.empty()) platform::release_own_console();  // started from Explorer: no black window beside it
  return run_window(options);
}

}  // namespace

int run_cli(int argc, char** argv) {
  Context ctx;
  try {
    ctx.japanese = japanese_messages(argc, argv);
    ctx.args = Arguments(command_line(), argc, argv);
    if (ctx.args.flag("--help")) {
      std::cout << kUsage;
      return 0;
    }
    if (ctx.args.flag("--version")) {
      std::cout << "tsunagi 0.1.0\n";
      return 0;
    }
    ctx.data_dir = ctx.args.has("--data") ? platform::path_from_utf8(ctx.args.option("--data")) : default_data_dir();
    const std::string command = ctx.args.positional().empty() ? "" : ctx.args.positional()[0];
    if (command == "help") {
      std::cout << kUsage;
      return 0;
    }
    if (command == "wipe") return command_wipe(ctx);
    if (command == "passphrase") {
      const std::string& what = ctx.args.positional()[1];  // the command line's spec asks for it
      return what == "change" ? command_passphrase_change(ctx) : command_passphrase_keyring(ctx, what == "remember");
    }
    // The window asks for the passphrase itself, unless one is given.
    const bool window_asks = command.empty() && !ctx.args.flag("--demo") && !ctx.args.has("--passphrase-fd") &&
                             platform::environment_path(kPassphraseFileVariable).empty();
    if (!window_asks)
      if (auto status = unlock_data(ctx); !status) return fail_unlock(status.error(), ctx.japanese);
    if (command.empty()) return command_window(ctx);
    if (command == "record") return command_record(ctx);
    if (command == "review") return command_review(ctx);
    if (command == "comment") return command_comment(ctx);
    if (command == "import") return command_import(ctx);
    if (command == "export") return command_export(ctx);
    if (command == "enroll") return command_enroll(ctx);
    if (command == "admin") return command_admin(ctx);
    if (command == "report") {
      const std::string& which = ctx.args.positional()[1];  // the command line's spec asks for it
      return which == "set" ? command_report_set(ctx) : which == "history" ? command_report_history(ctx) : command_report(ctx);
    }
    if (command == "sync") return command_sync(ctx, false);
    if (command == "restore") return command_sync(ctx, true);
    if (command == "status") return command_status(ctx);
    throw UsageError{"unknown command \"" + command + "\"", "「" + command + "」というコマンドはありません"};
  } catch (const UsageError& error) {
    std::cerr << "tsunagi: " << error.text(ctx.japanese) << "\n\n" << kUsage;
    return kExitUsage;
  }
}

}  // namespace tsunagi
