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
    if (!parsed)
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

void normalize_record(Record& r) {
  auto normalize_date = [](std::string& value) {
    std::string trimmed = trim(value);
    if (trimmed.empty()) {
      value.clear();
      return;
    }
    if (auto parsed = parse_date(trimmed)) value = format_iso(*parsed);
  };
  auto normalize_time = [](std::string& value) {
    std::string trimmed = trim(value);
    if (trimmed.empty()) {
      value.clear();
      return;
    }
    if (auto parsed = parse_time(trimmed)) value = format_time(*parsed);
  };
  auto trim_in_place = [](std::string& value) { value = trim(value); };

  normalize_date(r.date);
  normalize_time(r.start_time);
  normalize_time(r.end_time);
  trim_in_place(r.title);
  trim_in_place(r.area);
  for (auto& follow_up : r.follow_ups) normalize_date(follow_up.due);
  normalize_date(r.meeting.next_date);
  normalize_date(r.case_review.next_review);
  trim_in_place(r.case_review.case_code);
  sort_members(r.themes);
  sort_members(r.organizations);
  key_items(r.follow_ups);
  key_items(r.meeting.agenda);
  key_items(r.case_review.roles);
}

std::vector<ValidationIssue> validate_record(const Record& r, const ReferenceData* reference) {
  std::vector<ValidationIssue> issues;
  Checker check(issues);

  if (r.date.empty()) check.error("/date", "required", "the date is required", "日付を入力してください");
  auto date = check.date("/date", r.date);
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

  std::set<std::string> seen_themes;
  for (std::size_t i = 0; i < r.themes.size(); ++i) {
    std::string path = "/themes/" + std::to_string(i);
    if (trim(r.themes[i]).empty()) check.error(path, "required", "theme is empty", "テーマが空です");
    if (!seen_themes.insert(r.themes[i]).second)
      check.error(path, "duplicate", "theme \"" + r.themes[i] + "\" is listed twice",
                  "テーマ「" + r.themes[i] + "」が重複しています");
    if (reference && !reference->themes.empty() && !reference->has_theme(r.themes[i]))
      check.warning(path, "reference.unknown", "theme \"" + r.themes[i] + "\" is not in the reference data",
                    "テーマ「" + r.themes[i] + "」は参照データにありません");
  }
  if (reference && !r.area.empty() && !reference->areas.empty() && !reference->has_area(r.area))
    check.warning("/area", "reference.unknown", "area \"" + r.area + "\" is not in the reference data",
                  "地域「" + r.area + "」は参照データにありません");
  for (std::size_t i = 0; i < r.organizations.size(); ++i)
    if (trim(r.organizations[i]).empty())
      check.error("/organizations/" + std::to_string(i), "required", "organization is empty", "関係機関が空です");
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
      if (!m.format) check.error("/format", "required", "the format (in person, online, written) is required", "開催形式を選んでください");
      check.required("/body", m.body, "the committee or group (body)", "会議体", true);
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
      check.required("/case_code", c.case_code, "the case code", "ケースコード");
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
  }
  return issues;
}

std::set<std::string> required_paths(RecordKind kind) {
  // What validate_record asks of a blank record with one of each repeatable item: the rule stays in one place.
  Record blank;
  blank.kind = kind;
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
