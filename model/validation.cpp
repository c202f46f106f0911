#include "model/validation.hpp"

#include <algorithm>
#include <set>

#include "model/calendar.hpp"
#include "model/ids.hpp"
#include "model/reference.hpp"
#include "model/text.hpp"

namespace tsunagi {

namespace {

class Checker {
 public:
  explicit Checker(std::vector<ValidationIssue>& out) : out_(out) {}

  void error(std::string path, std::string code, std::string en, std::string ja) {
    out_.push_back({std::move(path), std::move(code), Severity::Error, std::move(en), std::move(ja)});
  }
  void warning(std::string path, std::string code, std::string en, std::string ja) {
    out_.push_back({std::move(path), std::move(code), Severity::Warning, std::move(en), std::move(ja)});
  }

  // `chosen`: a field filled by choosing from a list, whose message asks to choose rather than to type.
  void required(const std::string& path, const std::string& value, const char* label_en, const char* label_ja,
                bool chosen = false) {
    if (trim(value).empty())
      error(path, "required", std::string(label_en) + " is required",
            std::string(label_ja) + (chosen ? "を選んでください" : "を入力してください"));
  }

  // An ISO date that exists; empty allowed unless required.
  std::optional<Date> date(const std::string& path, const std::string& value) {
    if (value.empty()) return std::nullopt;
    auto parsed = parse_iso_date(value);
    if (!parsed && !parse_date_span(value) && parse_date_span(value, 2000))  // no year in it: "4/17", "5月"
      error(path, "date.no_year", "\"" + value + "\" has no year: write it (R5.4.17), or import with --fy 令和5年度",
            "「" + value + "」には年がありません。年を入れるか（例: R5.4.17）、取り込みで --fy 令和5年度 のように年度を指定してください");
    else if (!parsed)
      error(path, "date.invalid", "\"" + value + "\" is not a date that exists (YYYY-MM-DD)",
            "「" + value + "」は存在する日付ではありません（例: 2024-04-01、R6.4.1）");
    return parsed;
  }

  std::optional<TimeOfDay> time(const std::string& path, const std::string& value) {
    if (value.empty()) return std::nullopt;
    auto parsed = parse_time(value);
    if (!parsed || format_time(*parsed) != value) {
      error(path, "time.invalid", "\"" + value + "\" is not a time (HH:MM, 00:00 to 23:59)",
            "「" + value + "」は時刻ではありません（HH:MM、00:00〜23:59）");
      return std::nullopt;
    }
    return parsed;
  }

  void count(const std::string& path, const std::optional<int>& value, int max) {
    if (value && (*value < 0 || *value > max))
      error(path, "number.range", "must be between 0 and " + std::to_string(max),
            "0から" + std::to_string(max) + "までの数にしてください");
  }

  void after(const std::string& path, const std::optional<Date>& later, const std::optional<Date>& date,
             const char* label_en, const char* label_ja) {
    if (later && date && *later < *date)
      error(path, "date.order", std::string(label_en) + " is before the record's date",
            std::string(label_ja) + "が記録の日付より前です");
  }

 private:
  std::vector<ValidationIssue>& out_;
};

bool is_kanji_or_kana(char32_t c) {
  return (c >= 0x3041 && c <= 0x309F) ||  // hiragana
         (c >= 0x30A0 && c <= 0x30FF) ||  // katakana
         (c >= 0x4E00 && c <= 0x9FFF) ||  // CJK unified ideographs
         (c >= 0x3400 && c <= 0x4DBF) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x2FFFF) ||
         c == 0x3005;  // 々
}

bool is_latin_letter(char32_t c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

}  // namespace

bool looks_like_full_name(std::string_view code) {
  std::string normalized = trim(normalize_width(code));
  if (normalized.empty() || !is_valid_utf8(normalized)) return false;
  std::vector<std::vector<char32_t>> parts(1);
  for (char32_t c : decode_utf8(normalized)) {
    if (c >= '0' && c <= '9') return false;  // codes carry numbers; names do not
    if (c == ' ') {
      if (!parts.back().empty()) parts.emplace_back();
      continue;
    }
    if (!is_kanji_or_kana(c) && !is_latin_letter(c)) return false;  // '-', '_', '/' mark a code
    parts.back().push_back(c);
  }
  if (parts.back().empty()) parts.pop_back();
  if (parts.size() == 2) return true;  // "山田 太郎", "Taro Yamada"
  if (parts.size() != 1) return false;
  const auto& only = parts.front();
  bool all_japanese = true;
  for (char32_t c : only) all_japanese = all_japanese && is_kanji_or_kana(c);
  return all_japanese && only.size() >= 3 && only.size() <= 8;  // "山田太郎"; two kanji are more often a code
}

namespace {

// Gives every item of a list an id (a new one where it has none, or repeats one before it) and a position, so that
// (position, id) increases along the list's order, changing as few as possible: the longest run of items already in
// increasing order keeps theirs, the others get positions between their neighbours (all are renumbered only when
// there is no room). A move in the editor thus changes the moved item alone.
template <class Item>
void key_items(std::vector<Item>& items) {
  constexpr std::int64_t kGap = 1024;
  constexpr std::int64_t kMaxPos = 9'999'999'999LL;  // what record JSON reads
  std::set<std::string> ids;
  for (Item& item : items)
    if (item.key.id.empty() || !ids.insert(item.key.id).second) {
      item.key.id = new_item_id();
      ids.insert(item.key.id);
    }
  // Lists sort by position, then id (two devices adding at the end give equal positions).
  auto before = [](const ListItemKey& a, const ListItemKey& b) {
    return a.pos < b.pos || (a.pos == b.pos && a.id < b.id);
  };
  const std::size_t n = items.size();
  std::vector<std::size_t> length(n, 0);
  std::vector<std::ptrdiff_t> previous(n, -1);
  std::ptrdiff_t last = -1;
  for (std::size_t i = 0; i < n; ++i) {
    if (items[i].key.pos <= 0) continue;
    length[i] = 1;
    for (std::size_t j = 0; j < i; ++j)
      if (length[j] > 0 && before(items[j].key, items[i].key) && length[j] + 1 > length[i]) {
        length[i] = length[j] + 1;
        previous[i] = static_cast<std::ptrdiff_t>(j);
      }
    if (last < 0 || length[i] > length[static_cast<std::size_t>(last)]) last = static_cast<std::ptrdiff_t>(i);
  }
  std::vector<bool> keep(n, false);
  for (std::ptrdiff_t i = last; i >= 0; i = previous[static_cast<std::size_t>(i)])
    keep[static_cast<std::size_t>(i)] = true;
  auto renumber = [&items] {
    for (std::size_t k = 0; k < items.size(); ++k) items[k].key.pos = static_cast<std::int64_t>(k + 1) * kGap;
  };
  for (std::size_t i = 0; i < n;) {
    if (keep[i]) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < n && !keep[j]) ++j;
    const std::int64_t low = i > 0 ? items[i - 1].key.pos : 0;
    const auto count = static_cast<std::int64_t>(j - i);
    const std::int64_t step = j < n ? (items[j].key.pos - low) / (count + 1) : kGap;
    if (step < 1 || low + step * count > kMaxPos) return renumber();
    for (std::size_t k = i; k < j; ++k) items[k].key.pos = low + step * static_cast<std::int64_t>(k - i + 1);
    i = j;
  }
}

// A set's members in one order whatever order they were added in, each once: replicas that hold the same members
// hold the same list.
void sort_members(std::vector<std::string>& members) {
  std::sort(members.begin(), members.end());
  members.erase(std::unique(members.begin(), members.end()), members.end());
}

}  // namespace

namespace {

// A date field other than the record's own (a due date, the next meeting): a day, in the seeds' forms.
void normalize_day(std::string& value, const NormalizeOptions& options) {
  std::string trimmed = trim(value);
  value = trimmed;
  if (trimmed.empty() || parse_iso_date(trimmed)) return;
  if (auto span = parse_date_span(trimmed, options.fiscal_year); span && span->precision == DatePrecision::Day)
    value = format_iso(span->from);
}

void normalize_time(std::string& value) {
  std::string trimmed = trim(value);
  value = trimmed;
  if (trimmed.empty()) return;
  if (auto parsed = parse_time(trimmed)) value = format_time(*parsed);
}

// The record's date, its end and precision, from what was typed into `date` (and `date_end`).
void normalize_record_date(Record& r, const NormalizeOptions& options, std::vector<ValidationIssue>& notes) {
  const std::string typed = trim(r.date);
  r.date = typed;
  r.date_end = trim(r.date_end);
  if (!typed.empty() && !parse_iso_date(typed)) {
    if (auto span = parse_date_span(typed, options.fiscal_year)) {
      // The end of a month or fiscal year went with the date typed before; an end given apart (a period) stays.
      if (r.date_precision == DatePrecision::Month || r.date_precision == DatePrecision::FiscalYear)
        r.date_end.clear();
      r.date = format_iso(span->from);
      r.date_precision = span->precision;
      if (span->precision != DatePrecision::Day) r.date_end = format_iso(span->to);  // else: an end given apart
      if (span->era_past_end)
        notes.push_back({"/date", "date.old_era", Severity::Warning,
                         "\"" + typed + "\" names an era after it ended; read as " + format_date_span(*span) + " (" +
                             format_iso(span->from) + ")",
                         "「" + typed + "」は元号が改まった後の日付です。" + format_date_span(*span) + "として読みました"});
    }
  }
  if (!r.date_end.empty() && !parse_iso_date(r.date_end)) {
    std::optional<Date> start = parse_iso_date(r.date);
    std::optional<DateSpan> end;
    if (start && !options.fiscal_year) {
      // "12/19" after a start date: the first such day on or after it.
      end = parse_date_span(format_iso(*start) + "～" + r.date_end);
      if (end) end->from = end->to;
    } else {
      end = parse_date_span(r.date_end, options.fiscal_year);
    }
    if (end) r.date_end = format_iso(end->to);
  }
  auto start = parse_iso_date(r.date);
  if (!start) return;
  // A precision given without its end (an import naming "month"): the end follows from it.
  if (r.date_end.empty()) {
    if (r.date_precision == DatePrecision::Month)
      r.date_end = format_iso(Date{start->year, start->month, days_in_month(start->year, start->month)});
    if (r.date_precision == DatePrecision::FiscalYear) r.date_end = format_iso(fiscal_year_range(fiscal_year(*start)).second);
  }
  if (r.date_precision == DatePrecision::Day && !r.date_end.empty())
    r.date_precision = r.date_end == r.date ? DatePrecision::Day : DatePrecision::Period;
  if (r.date_precision == DatePrecision::Day) r.date_end.clear();
}

}  // namespace

std::vector<ValidationIssue> normalize_record(Record& r, const NormalizeOptions& options) {
  std::vector<ValidationIssue> notes;
  auto trim_in_place = [](std::string& value) { value = trim(value); };
  auto trim_all = [&trim_in_place](std::vector<std::string>& values) {
    for (auto& value : values) trim_in_place(value);
  };

  normalize_record_date(r, options, notes);
  // A time range typed into the start time fills the end time too.
  if (!r.start_time.empty() && !parse_time(r.start_time))
    if (auto range = parse_time_range(r.start_time)) {
      r.start_time = format_time(range->start);
      if (range->end && trim(r.end_time).empty()) r.end_time = format_time(*range->end);
    }
  if (!r.end_time.empty() && !parse_time(r.end_time))
    if (auto range = parse_time_range(r.end_time); range && !range->end) r.end_time = format_time(range->start);
  normalize_time(r.start_time);
  normalize_time(r.end_time);
  trim_in_place(r.title);
  trim_in_place(r.council);
  for (auto& follow_up : r.follow_ups) normalize_day(follow_up.due, options);
  normalize_day(r.meeting.next_date, options);
  normalize_day(r.case_review.next_review, options);
  trim_in_place(r.case_review.case_code);
  for (auto* set : {&r.areas, &r.themes, &r.committees, &r.organizations, &r.work_items}) {
    trim_all(*set);
    sort_members(*set);
  }
  for (auto& item : r.meeting.agenda) trim_in_place(item.work_item);
  key_items(r.follow_ups);
  key_items(r.meeting.agenda);
  key_items(r.case_review.roles);
  return notes;
}

void resolve_references(Record& r, const ReferenceData& reference, const std::string& default_council) {
  if (auto id = reference.resolve(ReferenceKind::Council, r.council)) r.council = *id;
  auto resolve_all = [&](std::vector<std::string>& values, ReferenceKind kind) {
    for (auto& value : values)
      if (auto id = reference.resolve(kind, value, r.council)) value = *id;
    sort_members(values);
  };
  // With no council given, the committees and areas chosen tell it (Kodama's 相談支援部会 is Kodama's), else the
  // author's. Committees first, as names two councils share resolve only once the council is known.
  if (r.council.empty()) {
    for (const auto& [values, kind] : {std::pair{&r.committees, ReferenceKind::Committee}, std::pair{&r.areas, ReferenceKind::Area}})
      for (const auto& value : *values)
        if (auto id = reference.resolve(kind, value); id && r.council.empty())
          r.council = reference.council_of(kind, *id);
    if (r.council.empty()) r.council = default_council;
  }
  resolve_all(r.areas, ReferenceKind::Area);
  resolve_all(r.themes, ReferenceKind::Theme);
  resolve_all(r.committees, ReferenceKind::Committee);
  resolve_all(r.organizations, ReferenceKind::Organization);
  // Work items are named per committee and year: the record's committees and fiscal year tell same-named ones apart.
  const auto date = parse_iso_date(r.date);
  const std::optional<int> fy = date ? std::optional<int>(fiscal_year(*date)) : std::nullopt;
  auto resolve_work_item = [&](std::string& value) {
    if (auto id = reference.resolve_work_item(value, r.council, r.committees, fy)) value = *id;
  };
  for (auto& value : r.work_items) resolve_work_item(value);
  sort_members(r.work_items);
  for (auto& item : r.meeting.agenda)
    if (!item.work_item.empty()) resolve_work_item(item.work_item);
}

namespace {

struct ReferenceField {
  const char* field;
  std::vector<std::string> Record::*values;
  ReferenceKind kind;
  const char* label_en;
  const char* label_ja;
};

// Each reference of the record that the reference data does not know: an error once submitted, else a warning.
void check_references(Checker& check, const Record& r, const ReferenceData& reference) {
  const bool submitted = r.status != ReviewStatus::Draft;
  auto report = [&](const std::string& path, const char* code, const std::string& en, const std::string& ja) {
    if (submitted)
      check.error(path, code, en, ja);
    else
      check.warning(path, code, en, ja);
  };
  auto unknown = [&](const std::string& path, ReferenceKind kind, const std::string& value, const char* label_en,
                     const char* label_ja) {
    if (auto id = reference.resolve(kind, value, r.council)) {
      // Known, but is it this record's council's? (Entries every council shares have none.)
      const std::string owner = reference.council_of(kind, *id);
      if (!r.council.empty() && !owner.empty() && owner != r.council && kind != ReferenceKind::Council)
        report(path, "reference.other_council",
               std::string(label_en) + " \"" + value + "\" belongs to another council (" +
                   reference.name_of(ReferenceKind::Council, owner) + ")",
               std::string(label_ja) + "「" + value + "」は別の協議会（" +
                   reference.name_of(ReferenceKind::Council, owner) + "）のものです");
      return;
    }
    if (const auto ids = reference.matching_ids(kind, value); ids.size() > 1) {
      std::string listed;
      for (const auto& id : ids) listed += (listed.empty() ? "" : ", ") + id;
      report(path, "reference.ambiguous",
             std::string(label_en) + " \"" + value + "\" names several entries (" + listed + "): give its id",
             std::string(label_ja) + "「" + value + "」に当たるものが複数あります（" + listed + "）。IDで指定してください");
      return;
    }
    std::string near_en, near_ja;
    for (const auto& name : reference.nearest_names(kind, value, 3, r.council)) {
      near_en += (near_en.empty() ? "" : ", ") + name;
      near_ja += (near_ja.empty() ? "" : "、") + name;
    }
    std::string en = std::string(label_en) + " \"" + value + "\" is not in the reference data" +
                     (near_en.empty() ? std::string() : " (nearest: " + near_en + ")");
    std::string ja = std::string(label_ja) + "「" + value + "」は参照データにありません" +
                     (near_ja.empty() ? std::string() : "（近いもの: " + near_ja + "）");
    report(path, "reference.unknown", en, ja);
  };
  // A kind of which the reference data has no entries at all is not checked (a store or collector without them).
  if (!r.council.empty() && reference.has_any(ReferenceKind::Council))
    unknown("/council", ReferenceKind::Council, r.council, "council", "協議会");
  static const ReferenceField kLists[] = {{"areas", &Record::areas, ReferenceKind::Area, "area", "地域"},
                                          {"themes", &Record::themes, ReferenceKind::Theme, "theme", "テーマ"},
                                          {"committees", &Record::committees, ReferenceKind::Committee, "committee",
                                           "会議体"},
                                          {"work_items", &Record::work_items, ReferenceKind::WorkItem, "work item",
                                           "事業項目"}};
  for (const auto& list : kLists) {
    if (!reference.has_any(list.kind)) continue;
    const auto& values = r.*list.values;
    for (std::size_t i = 0; i < values.size(); ++i)
      unknown("/" + std::string(list.field) + "/" + std::to_string(i), list.kind, values[i], list.label_en,
              list.label_ja);
  }
  for (std::size_t i = 0; i < r.meeting.agenda.size(); ++i)
    if (r.kind == RecordKind::Meeting && !r.meeting.agenda[i].work_item.empty() &&
        reference.has_any(ReferenceKind::WorkItem))
      unknown("/agenda/" + std::to_string(i) + "/work_item", ReferenceKind::WorkItem, r.meeting.agenda[i].work_item,
              "work item", "事業項目");
  for (std::size_t i = 0; i < r.organizations.size() && reference.has_any(ReferenceKind::Organization); ++i)
    if (!trim(r.organizations[i]).empty() && !reference.resolve(ReferenceKind::Organization, r.organizations[i], r.council))
      check.warning("/organizations/" + std::to_string(i), "organization.unregistered",
                    "organisation \"" + r.organizations[i] + "\" is not registered (kept as typed)",
                    "関係機関「" + r.organizations[i] + "」は未登録です（入力のまま保存します）");
  // A committee meets between its establishment and its abolition.
  auto date = parse_iso_date(r.date);
  for (std::size_t i = 0; date && i < r.committees.size(); ++i) {
    auto id = reference.resolve(ReferenceKind::Committee, r.committees[i], r.council);
    const Committee* committee = id ? reference.committee(*id) : nullptr;
    if (!committee) continue;
    const std::string path = "/committees/" + std::to_string(i);
    if (!committee->established.empty() && (r.date_end.empty() ? r.date : r.date_end) < committee->established)
      check.warning(path, "committee.not_yet", "\"" + committee->name + "\" was set up on " + committee->established,
                    "「" + committee->name + "」の設置は" + committee->established + "です");
    if (!committee->abolished.empty() && r.date > committee->abolished)
      check.warning(path, "committee.abolished", "\"" + committee->name + "\" was abolished on " + committee->abolished,
                    "「" + committee->name + "」は" + committee->abolished + "に廃止されています");
  }
}

// The record's date with its precision: the day exists, and the end agrees with the precision.
void check_date_span(Checker& check, const Record& r, const std::optional<Date>& date) {
  if (!date) return;
  if (!r.date_end.empty() && !parse_iso_date(r.date_end)) {
    check.date("/date_end", r.date_end);
    return;
  }
  // What the two dates span (a whole month reads as a month) must be what the record says it is; a period may be
  // any span that ends on or after its start.
  auto span = stored_date_span(r.date, r.date_end);
  const bool fits = span && (span->precision == r.date_precision ||
                             (r.date_precision == DatePrecision::Period && !r.date_end.empty()));
  if (!fits)
    check.error("/date_end", "date.span",
                "the end date does not fit the date's precision (a day has none; a month or fiscal year runs from "
                "its first day to its last; a period ends on or after its start)",
                "期間の終わりが日付の精度と合いません（月・年度・期間）");
}

}  // namespace

std::vector<ValidationIssue> validate_record(const Record& r, const ReferenceData* reference) {
  std::vector<ValidationIssue> issues;
  Checker check(issues);

  if (r.date.empty()) check.error("/date", "required", "the date is required", "日付を入力してください");
  auto date = check.date("/date", r.date);
  check_date_span(check, r, date);
  auto start = check.time("/start_time", r.start_time);
  auto end = check.time("/end_time", r.end_time);
  if (start && end && *end < *start)
    check.error("/end_time", "time.order", "the end time is before the start time", "終了時刻が開始時刻より前です");
  if (!r.end_time.empty() && r.start_time.empty())
    check.error("/start_time", "required", "a start time is required when an end time is given",
                "終了時刻を入れる場合は開始時刻も入力してください");
  check.required("/title", r.title, "the title", "件名");
  if (utf8_length(r.title) > 200)
    check.error("/title", "text.too_long", "the title is longer than 200 characters", "件名は200文字以内にしてください");
  check.count("/participant_count", r.participant_count, 100000);
  if (r.occurrences && (*r.occurrences < 1 || *r.occurrences > 1000))
    check.error("/occurrences", "number.range", "must be between 1 and 1000", "1から1000までの数にしてください");

  auto check_set = [&check](const std::vector<std::string>& values, const std::string& field, const char* label_en,
                            const char* label_ja) {
    std::set<std::string> seen;
    for (std::size_t i = 0; i < values.size(); ++i) {
      std::string path = "/" + field + "/" + std::to_string(i);
      if (trim(values[i]).empty())
        check.error(path, "required", std::string(label_en) + " is empty", std::string(label_ja) + "が空です");
      if (!seen.insert(values[i]).second)
        check.error(path, "duplicate", std::string(label_en) + " \"" + values[i] + "\" is listed twice",
                    std::string(label_ja) + "「" + values[i] + "」が重複しています");
    }
  };
  check_set(r.areas, "areas", "area", "地域");
  check_set(r.themes, "themes", "theme", "テーマ");
  check_set(r.committees, "committees", "committee", "会議体");
  check_set(r.organizations, "organizations", "organization", "関係機関");
  check_set(r.work_items, "work_items", "work item", "事業項目");
  if (reference) check_references(check, r, *reference);
  for (std::size_t i = 0; i < r.follow_ups.size(); ++i) {
    std::string path = "/follow_ups/" + std::to_string(i);
    check.required(path + "/action", r.follow_ups[i].action, "follow-up action", "対応内容");
    check.date(path + "/due", r.follow_ups[i].due);
  }

  switch (r.kind) {
    case RecordKind::Meeting: {
      const auto& m = r.meeting;
      if (!m.meeting_type)
        check.error("/meeting_type", "required", "the kind of meeting is required", "会議の種類を選んでください");
      // The format is often not known of a meeting typed in from a report (the seeds name it only when written
      // or online): optional.
      // The council's own bodies meet as a committee: which one is what the reports count.
      static constexpr MeetingType kBodies[] = {MeetingType::Plenary, MeetingType::Steering, MeetingType::Committee,
                                                MeetingType::Subcommittee, MeetingType::WorkingTeam};
      if (m.meeting_type && std::find(std::begin(kBodies), std::end(kBodies), *m.meeting_type) != std::end(kBodies) &&
          r.committees.empty())
        check.error("/committees", "required", "the committee is required for a meeting of the council's bodies",
                    "会議体を選んでください");
      if (m.format == MeetingFormat::Written && !r.start_time.empty())
        check.warning("/start_time", "written.time", "a written meeting (書面開催) usually has no start time",
                      "書面開催には通常、開始時刻はありません");
      for (std::size_t i = 0; i < m.agenda.size(); ++i)
        check.required("/agenda/" + std::to_string(i) + "/title", m.agenda[i].title, "agenda item title", "議題");
      check.after("/next_date", check.date("/next_date", m.next_date), date, "the next meeting's date", "次回開催日");
      break;
    }
    case RecordKind::CaseReview: {
      const auto& c = r.case_review;
      // A thematic review (合同部会【事例検討】) is about a theme, not one person: it names a theme instead.
      if (trim(c.case_code).empty() && r.themes.empty())
        check.error("/case_code", "required", "the case code is required (or a theme, for a thematic review)",
                    "ケースコードを入力してください（テーマ別の検討ではテーマを選んでください）");
      if (looks_like_full_name(c.case_code))
        check.warning("/case_code", "case_code.looks_like_name",
                      "the case code looks like a person's full name; use a pseudonymous code (for example A-2024-017)",
                      "ケースコードが氏名のようです。仮名のコード（例: A-2024-017）を使ってください");
      if (!c.review_type)
        check.error("/review_type", "required", "the kind of case review is required", "検討会の種類を選んでください");
      for (std::size_t i = 0; i < c.roles.size(); ++i) {
        std::string path = "/roles/" + std::to_string(i);
        check.required(path + "/agency", c.roles[i].agency, "role agency", "担当機関");
        check.required(path + "/role", c.roles[i].role, "role", "役割");
      }
      check.after("/next_review", check.date("/next_review", c.next_review), date, "the next review's date", "次回検討日");
      break;
    }
    case RecordKind::Outreach: {
      const auto& o = r.outreach;
      if (!o.visit_type) check.error("/visit_type", "required", "the kind of visit is required", "訪問の種類を選んでください");
      check.required("/place", o.place, "the place visited", "訪問先");
      check.count("/people_met", o.people_met, 10000);
      check.count("/duration_minutes", o.duration_minutes, 24 * 60);
      break;
    }
    case RecordKind::Initiative:
      break;
  }
  return issues;
}

std::set<std::string> required_paths(RecordKind kind, std::optional<MeetingType> meeting_type) {
  // What validate_record asks of a blank record with one of each repeatable item: the rule stays in one place.
  Record blank;
  blank.kind = kind;
  blank.meeting.meeting_type = meeting_type;
  blank.meeting.agenda.emplace_back();
  blank.case_review.roles.emplace_back();
  blank.follow_ups.emplace_back();
  std::set<std::string> paths;
  for (const ValidationIssue& issue : validate_record(blank)) {
    if (issue.code != "required") continue;
    std::string path;
    std::size_t at = 0;
    while (at < issue.path.size()) {  // "/agenda/0/title" -> "/agenda/*/title"
      std::size_t next = issue.path.find('/', at + 1);
      std::string part = issue.path.substr(at, next == std::string::npos ? std::string::npos : next - at);
      const bool index = part.size() > 1 && part.find_first_not_of("0123456789", 1) == std::string::npos;
      path += index ? "/*" : part;
      at = next == std::string::npos ? issue.path.size() : next;
    }
    paths.insert(path);
  }
  return paths;
}

bool has_errors(const std::vector<ValidationIssue>& issues) {
  for (const auto& issue : issues)
    if (issue.severity == Severity::Error) return true;
  return false;
}

}  // namespace tsunagi
