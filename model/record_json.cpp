// [SECTION] Field codecs: one entry per JSON field, reading and writing one member of Record.
// [SECTION] Conversions: record <-> JSON, patches, comparisons.
#include "model/record_json.hpp"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <unordered_map>

#include "model/json_text.hpp"
#include "model/text.hpp"

namespace tsunagi {

using nlohmann::json;

namespace {

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] Field codecs
// ---------------------------------------------------------------------------------------------------------------

Error type_error(const std::string& path, const char* expected_en, const char* expected_ja) {
  return make_error("json.type", path, std::string("expected ") + expected_en, std::string(expected_ja) + "が必要です");
}

// The kinds of record that have a field: every kind by default.
struct Kinds {
  unsigned mask = (1u << enum_count<RecordKind>()) - 1;
  Kinds() = default;
  Kinds(RecordKind kind) : mask(1u << static_cast<unsigned>(kind)) {}  // NOLINT: one kind reads as the set
  Kinds operator|(Kinds other) const {
    Kinds out;
    out.mask = mask | other.mask;
    return out;
  }
  bool has(RecordKind kind) const { return (mask >> static_cast<unsigned>(kind)) & 1u; }
};

struct FieldCodec {
  std::string_view name;
  Kinds kinds;
  std::function<json(const Record&)> get;
  // Sets the field from a JSON value (null resets it); returns an error naming `path` on a wrong type.
  std::function<std::optional<Error>(Record&, const json&, const std::string& path)> set;
  // Prints the value as to_json_text prints get()'s (record_text).
  std::function<void(std::string&, const Record&)> write;
  // Reads the value from text as `set` reads it from a document; false for anything set would refuse and anything
  // unusual (read_plain_record then leaves the text to the document path).
  std::function<bool(Record&, JsonReader&)> read;
};

template <class T>
using Accessor = T& (*)(Record&);

template <class T>
T& access(Accessor<T> ref, const Record& record) {
  return ref(const_cast<Record&>(record));  // accessors only read through a const record here
}

std::optional<Error> read_string(std::string& out, const json& value, const std::string& path) {
  if (value.is_null()) {
    out.clear();
    return std::nullopt;
  }
  if (!value.is_string()) return type_error(path, "a string", "文字列");
  out = value.get<std::string>();
  return std::nullopt;
}

std::optional<Error> read_int(std::optional<int>& out, const json& value, const std::string& path) {
  if (value.is_null()) {
    out.reset();
    return std::nullopt;
  }
  if (!value.is_number_integer()) return type_error(path, "an integer", "整数");
  auto number = value.get<long long>();
  if (number < -2147483647LL || number > 2147483647LL)
    return make_error("json.range", path, "integer out of range", "整数が範囲外です");
  out = static_cast<int>(number);
  return std::nullopt;
}

std::optional<Error> read_bool(bool& out, const json& value, const std::string& path) {
  if (value.is_null()) {
    out = false;
    return std::nullopt;
  }
  if (!value.is_boolean()) return type_error(path, "true or false", "true または false");
  out = value.get<bool>();
  return std::nullopt;
}

template <class E>
std::optional<Error> read_enum(std::optional<E>& out, const json& value, const std::string& path) {
  if (value.is_null()) {
    out.reset();
    return std::nullopt;
  }
  if (!value.is_string()) return type_error(path, "a string", "文字列");
  auto parsed = parse_enum<E>(value.get<std::string>());
  if (!parsed) {
    std::string allowed;
    for (auto name : EnumNames<E>::names) allowed += (allowed.empty() ? "" : ", ") + std::string(name);
    return make_error("json.enum", path, "unknown value \"" + value.get<std::string>() + "\" (one of: " + allowed + ")",
                      "不明な値「" + value.get<std::string>() + "」です（" + allowed + " のいずれか）");
  }
  out = parsed;
  return std::nullopt;
}

template <class E>
json enum_json(const std::optional<E>& value) {
  return value ? json(std::string(enum_name(*value))) : json(nullptr);
}

json int_json(const std::optional<int>& value) { return value ? json(*value) : json(nullptr); }

bool read_text(std::string& out, JsonReader& in) {
  if (in.null()) {
    out.clear();
    return true;
  }
  return in.string(out);
}

bool read_flag(bool& out, JsonReader& in) {
  if (in.null()) {
    out = false;
    return true;
  }
  return in.boolean(out);
}

template <class E>
bool read_enum_text(std::optional<E>& out, JsonReader& in) {
  if (in.null()) {
    out.reset();
    return true;
  }
  std::string name;
  if (!in.string(name)) return false;
  out = parse_enum<E>(name);
  return out.has_value();
}

void write_int(std::string& out, const std::optional<int>& value) {
  if (value)
    out += std::to_string(*value);
  else
    out += "null";
}

template <class E>
void write_enum(std::string& out, const std::optional<E>& value) {
  if (value)
    append_json_string(out, enum_name(*value));
  else
    out += "null";
}

FieldCodec text_codec(std::string_view name, Kinds kind, Accessor<std::string> ref) {
  return {name, kind, [ref](const Record& r) { return json(access(ref, r)); },
          [ref](Record& r, const json& v, const std::string& p) { return read_string(ref(r), v, p); },
          [ref](std::string& out, const Record& r) { append_json_string(out, access(ref, r)); },
          [ref](Record& r, JsonReader& in) { return read_text(ref(r), in); }};
}

FieldCodec int_codec(std::string_view name, Kinds kind, Accessor<std::optional<int>> ref) {
  return {name, kind, [ref](const Record& r) { return int_json(access(ref, r)); },
          [ref](Record& r, const json& v, const std::string& p) { return read_int(ref(r), v, p); },
          [ref](std::string& out, const Record& r) { write_int(out, access(ref, r)); },
          [ref](Record& r, JsonReader& in) {
            if (in.null()) {
              ref(r).reset();
              return true;
            }
            long long number = 0;
            if (!in.integer(number) || number < -2147483647LL || number > 2147483647LL) return false;
            ref(r) = static_cast<int>(number);
            return true;
          }};
}

FieldCodec bool_codec(std::string_view name, Kinds kind, Accessor<bool> ref) {
  return {name, kind, [ref](const Record& r) { return json(access(ref, r)); },
          [ref](Record& r, const json& v, const std::string& p) { return read_bool(ref(r), v, p); },
          [ref](std::string& out, const Record& r) { out += access(ref, r) ? "true" : "false"; },
          [ref](Record& r, JsonReader& in) { return read_flag(ref(r), in); }};
}

template <class E>
FieldCodec enum_codec(std::string_view name, Kinds kind, Accessor<std::optional<E>> ref) {
  return {name, kind, [ref](const Record& r) { return enum_json(access(ref, r)); },
          [ref](Record& r, const json& v, const std::string& p) { return read_enum<E>(ref(r), v, p); },
          [ref](std::string& out, const Record& r) { write_enum(out, access(ref, r)); },
          [ref](Record& r, JsonReader& in) { return read_enum_text(ref(r), in); }};
}

FieldCodec string_list_codec(std::string_view name, Accessor<std::vector<std::string>> ref) {
  return {name, Kinds{}, [ref](const Record& r) { return json(access(ref, r)); },
          [ref](Record& r, const json& v, const std::string& p) -> std::optional<Error> {
            auto& out = ref(r);
            out.clear();
            if (v.is_null()) return std::nullopt;
            if (!v.is_array()) return type_error(p, "an array of strings", "文字列の配列");
            for (std::size_t i = 0; i < v.size(); ++i) {
              if (!v[i].is_string()) return type_error(p + "/" + std::to_string(i), "a string", "文字列");
              out.push_back(v[i].get<std::string>());
            }
            return std::nullopt;
          },
          [ref](std::string& out, const Record& r) {
            out += '[';
            bool first = true;
            for (const auto& text : access(ref, r)) {
              if (!first) out += ',';
              first = false;
              append_json_string(out, text);
            }
            out += ']';
          },
          [ref](Record& r, JsonReader& in) {
            auto& out = ref(r);
            out.clear();
            if (in.null()) return true;
            if (!in.consume('[')) return false;
            if (in.consume(']')) return true;
            for (;;) {
              if (!in.string(out.emplace_back())) return false;
              if (in.consume(',')) continue;
              return in.consume(']');
            }
          }};
}

// Arrays of small objects (agenda items, roles, follow-ups): each member named by `fields` is a string or a bool;
// every item also has its key (ListItemKey): "id" (a string) and "pos" (an integer), printed when set.
template <class Item>
struct ItemField {
  std::string_view name;
  std::string Item::*text = nullptr;
  bool Item::*flag = nullptr;
};

constexpr long long kMaxItemPos = 9'999'999'999LL;  // ten digits, what the fast reader takes

std::optional<Error> read_item_pos(std::int64_t& out, const json& value, const std::string& path) {
  if (value.is_null()) {
    out = 0;
    return std::nullopt;
  }
  if (!value.is_number_integer()) return type_error(path, "an integer", "整数");
  auto number = value.get<long long>();
  if (number < 0 || number > kMaxItemPos)
    return make_error("json.range", path, "position out of range", "位置が範囲外です");
  out = number;
  return std::nullopt;
}

template <class Item>
FieldCodec object_list_codec(std::string_view name, Kinds kind, Accessor<std::vector<Item>> ref,
                             std::vector<ItemField<Item>> fields) {
  // Printed as a document prints an object: members in key order ("id" and "pos" among them).
  std::vector<std::string_view> printed{"id", "pos"};
  for (const auto& f : fields) printed.push_back(f.name);
  std::sort(printed.begin(), printed.end());
  auto field_index = [fields](std::string_view key) {
    std::size_t f = 0;
    while (f < fields.size() && fields[f].name != key) ++f;
    return f;
  };
  return {name, kind,
          [ref, fields](const Record& r) {
            json out = json::array();
            for (const Item& item : access(ref, r)) {
              json object = json::object();
              for (const auto& f : fields)
                object[std::string(f.name)] = f.text ? json(item.*f.text) : json(item.*f.flag);
              if (!item.key.id.empty()) object["id"] = item.key.id;
              if (item.key.pos != 0) object["pos"] = item.key.pos;
              out.push_back(std::move(object));
            }
            return out;
          },
          [ref, fields](Record& r, const json& v, const std::string& p) -> std::optional<Error> {
            auto& out = ref(r);
            out.clear();
            if (v.is_null()) return std::nullopt;
            if (!v.is_array()) return type_error(p, "an array of objects", "オブジェクトの配列");
            for (std::size_t i = 0; i < v.size(); ++i) {
              std::string item_path = p + "/" + std::to_string(i);
              if (!v[i].is_object()) return type_error(item_path, "an object", "オブジェクト");
              Item item;
              for (const auto& f : fields) {
                auto member = v[i].find(std::string(f.name));
                if (member == v[i].end()) continue;
                std::string member_path = item_path + "/" + std::string(f.name);
                auto error = f.text ? read_string(item.*f.text, *member, member_path)
                                    : read_bool(item.*f.flag, *member, member_path);
                if (error) return error;
              }
              if (auto id = v[i].find("id"); id != v[i].end())
                if (auto error = read_string(item.key.id, *id, item_path + "/id")) return error;
              if (auto pos = v[i].find("pos"); pos != v[i].end())
                if (auto error = read_item_pos(item.key.pos, *pos, item_path + "/pos")) return error;
              out.push_back(std::move(item));
            }
            return std::nullopt;
          },
          [ref, fields, printed, field_index](std::string& out, const Record& r) {
            out += '[';
            bool first_item = true;
            for (const Item& item : access(ref, r)) {
              if (!first_item) out += ',';
              first_item = false;
              out += '{';
              bool first = true;
              for (std::string_view key : printed) {
                if ((key == "id" && item.key.id.empty()) || (key == "pos" && item.key.pos == 0)) continue;
                if (!first) out += ',';
                first = false;
                append_json_string(out, key);
                out += ':';
                if (key == "id") {
                  append_json_string(out, item.key.id);
                } else if (key == "pos") {
                  out += std::to_string(item.key.pos);
                } else {
                  const auto& f = fields[field_index(key)];
                  if (f.text)
                    append_json_string(out, item.*f.text);
                  else
                    out += item.*f.flag ? "true" : "false";
                }
              }
              out += '}';
            }
            out += ']';
          },
          [ref, fields, field_index](Record& r, JsonReader& in) {
            auto& out = ref(r);
            out.clear();
            if (in.null()) return true;
            return in.array([&] {
              Item& item = out.emplace_back();
              unsigned seen = 0;
              return in.object([&](const std::string& key) {
                // Bits: one per field, then "id" and "pos".
                const std::size_t f = key == "id" ? fields.size() : key == "pos" ? fields.size() + 1 : field_index(key);
                if (f == fields.size() && key != "id") return false;  // unknown member
                if (seen & (1u << f)) return false;                  // repeated member
                seen |= 1u << f;
                if (key == "id") {
                  if (!read_text(item.key.id, in)) return false;
                  if (item.key.id.empty()) in.canonical = false;  // printed without it
                  return true;
                }
                if (key == "pos") {
                  long long pos = 0;
                  if (!in.null() && (!in.integer(pos) || pos < 0)) return false;
                  if (pos == 0) in.canonical = false;  // printed without it
                  item.key.pos = pos;
                  return true;
                }
                return fields[f].text ? read_text(item.*fields[f].text, in) : read_flag(item.*fields[f].flag, in);
              });
            });
          }};
}

// An enum that always has a value: null and absent read as its first value (a draft, a day).
template <class E>
FieldCodec set_enum_codec(std::string_view name, Kinds kind, Accessor<E> ref) {
  return {name, kind, [ref](const Record& r) { return json(std::string(enum_name(access(ref, r)))); },
          [ref](Record& r, const json& v, const std::string& p) -> std::optional<Error> {
            std::optional<E> value;
            if (auto error = read_enum(value, v, p)) return error;
            ref(r) = value.value_or(E{});
            return std::nullopt;
          },
          [ref](std::string& out, const Record& r) { append_json_string(out, enum_name(access(ref, r))); },
          [ref](Record& r, JsonReader& in) {
            std::optional<E> value;
            if (!read_enum_text(value, in)) return false;
            ref(r) = value.value_or(E{});
            return true;
          }};
}

constexpr auto kMeeting = RecordKind::Meeting;
constexpr auto kCase = RecordKind::CaseReview;
constexpr auto kOutreach = RecordKind::Outreach;
constexpr auto kInitiative = RecordKind::Initiative;

// The content fields, in export order. Bookkeeping fields (id, kind, clocks, timestamps) are handled separately.
const std::vector<FieldCodec>& content_codecs() {
  static const std::vector<FieldCodec> codecs = [] {
    std::vector<FieldCodec> c;
    c.push_back(text_codec("council", {}, [](Record& r) -> std::string& { return r.council; }));
    c.push_back(text_codec("date", {}, [](Record& r) -> std::string& { return r.date; }));
    c.push_back(text_codec("date_end", {}, [](Record& r) -> std::string& { return r.date_end; }));
    c.push_back(set_enum_codec<DatePrecision>("date_precision", {},
                                              [](Record& r) -> DatePrecision& { return r.date_precision; }));
    c.push_back(text_codec("start_time", {}, [](Record& r) -> std::string& { return r.start_time; }));
    c.push_back(text_codec("end_time", {}, [](Record& r) -> std::string& { return r.end_time; }));
    c.push_back(text_codec("title", {}, [](Record& r) -> std::string& { return r.title; }));
    c.push_back(string_list_codec("areas", [](Record& r) -> std::vector<std::string>& { return r.areas; }));
    c.push_back(string_list_codec("themes", [](Record& r) -> std::vector<std::string>& { return r.themes; }));
    c.push_back(string_list_codec("committees", [](Record& r) -> std::vector<std::string>& { return r.committees; }));
    c.push_back(
        string_list_codec("organizations", [](Record& r) -> std::vector<std::string>& { return r.organizations; }));
    c.push_back(string_list_codec("work_items", [](Record& r) -> std::vector<std::string>& { return r.work_items; }));
    c.push_back(
        int_codec("participant_count", {}, [](Record& r) -> std::optional<int>& { return r.participant_count; }));
    c.push_back(int_codec("occurrences", {}, [](Record& r) -> std::optional<int>& { return r.occurrences; }));
    c.push_back(enum_codec<Participation>("participation", {},
                                          [](Record& r) -> std::optional<Participation>& { return r.participation; }));
    c.push_back(text_codec("purpose", {}, [](Record& r) -> std::string& { return r.purpose; }));
    c.push_back(text_codec("outcome", {}, [](Record& r) -> std::string& { return r.outcome; }));
    c.push_back(text_codec("content", Kinds(kOutreach) | kInitiative, [](Record& r) -> std::string& { return r.content; }));
    c.push_back(object_list_codec<FollowUp>("follow_ups", {},
                                            [](Record& r) -> std::vector<FollowUp>& { return r.follow_ups; },
                                            {{"action", &FollowUp::action},
                                             {"owner", &FollowUp::owner},
                                             {"due", &FollowUp::due},
                                             {"done", nullptr, &FollowUp::done}}));
    c.push_back(set_enum_codec<ReviewStatus>("status", {}, [](Record& r) -> ReviewStatus& { return r.status; }));
    c.push_back(text_codec("author", {}, [](Record& r) -> std::string& { return r.author; }));

    c.push_back(enum_codec<MeetingType>(
        "meeting_type", kMeeting, [](Record& r) -> std::optional<MeetingType>& { return r.meeting.meeting_type; }));
    c.push_back(enum_codec<MeetingFormat>("format", kMeeting,
                                          [](Record& r) -> std::optional<MeetingFormat>& { return r.meeting.format; }));
    c.push_back(text_codec("venue", kMeeting, [](Record& r) -> std::string& { return r.meeting.venue; }));
    c.push_back(object_list_codec<AgendaItem>(
        "agenda", kMeeting, [](Record& r) -> std::vector<AgendaItem>& { return r.meeting.agenda; },
        {{"title", &AgendaItem::title},
         {"summary", &AgendaItem::summary},
         {"decision", &AgendaItem::decision},
         {"work_item", &AgendaItem::work_item}}));
    c.push_back(text_codec("minutes", kMeeting, [](Record& r) -> std::string& { return r.meeting.minutes; }));
    c.push_back(text_codec("next_date", kMeeting, [](Record& r) -> std::string& { return r.meeting.next_date; }));

    c.push_back(text_codec("case_code", kCase, [](Record& r) -> std::string& { return r.case_review.case_code; }));
    c.push_back(enum_codec<ReviewType>(
        "review_type", kCase, [](Record& r) -> std::optional<ReviewType>& { return r.case_review.review_type; }));
    c.push_back(text_codec("presenting_agency", kCase,
                           [](Record& r) -> std::string& { return r.case_review.presenting_agency; }));
    c.push_back(text_codec("issues", kCase, [](Record& r) -> std::string& { return r.case_review.issues; }));
    c.push_back(text_codec("policy", kCase, [](Record& r) -> std::string& { return r.case_review.policy; }));
    c.push_back(object_list_codec<RoleAssignment>(
        "roles", kCase, [](Record& r) -> std::vector<RoleAssignment>& { return r.case_review.roles; },
        {{"agency", &RoleAssignment::agency}, {"role", &RoleAssignment::role}}));
    c.push_back(text_codec("next_review", kCase, [](Record& r) -> std::string& { return r.case_review.next_review; }));
    c.push_back(bool_codec("people_concerned_attended", kCase,
                           [](Record& r) -> bool& { return r.case_review.people_concerned_attended; }));

    c.push_back(enum_codec<VisitType>("visit_type", kOutreach,
                                      [](Record& r) -> std::optional<VisitType>& { return r.outreach.visit_type; }));
    c.push_back(text_codec("place", kOutreach, [](Record& r) -> std::string& { return r.outreach.place; }));
    c.push_back(
        int_codec("people_met", kOutreach, [](Record& r) -> std::optional<int>& { return r.outreach.people_met; }));
    c.push_back(int_codec("duration_minutes", kOutreach,
                          [](Record& r) -> std::optional<int>& { return r.outreach.duration_minutes; }));
    c.push_back(text_codec("referral", kOutreach, [](Record& r) -> std::string& { return r.outreach.referral; }));
    c.push_back(
        bool_codec("follow_up_needed", kOutreach, [](Record& r) -> bool& { return r.outreach.follow_up_needed; }));
    return c;
  }();
  return codecs;
}

// Fields of records written before records held lists of references: one area ("area") and, on meetings, one
// committee ("body"). Read into the lists (after them, so that a record with both keeps both); never written.
// `replace`: the list becomes the one value (a patch), else the value joins it. Returns false when `name` is not
// such a field.
bool is_legacy_field(std::string_view name, RecordKind kind) {
  return name == "area" || (name == "body" && kind == RecordKind::Meeting);
}

bool read_legacy_field(Record& r, std::string_view name, const json& value, const std::string& path, bool replace,
                       std::optional<Error>& error) {
  std::vector<std::string>* list = nullptr;
  if (name == "area") list = &r.areas;
  if (name == "body" && r.kind == RecordKind::Meeting) list = &r.committees;
  if (!list) return false;
  std::string text;
  error = read_string(text, value, path);
  if (error) return true;
  if (replace) list->clear();
  if (!text.empty() && std::find(list->begin(), list->end(), text) == list->end()) list->push_back(text);
  return true;
}

const FieldCodec* find_codec(std::string_view name, RecordKind kind) {
  for (const auto& codec : content_codecs())
    if (codec.name == name && codec.kinds.has(kind)) return &codec;
  return nullptr;
}

// Bookkeeping fields: set by the store, read back on import and sync.
constexpr std::array<std::string_view, 9> kBookkeeping{"id",         "kind",    "updated_by", "device",   "created_at",
                                                       "updated_at", "deleted", "hlc",        "field_hlc"};

bool is_bookkeeping(std::string_view name) {
  return std::find(kBookkeeping.begin(), kBookkeeping.end(), name) != kBookkeeping.end();
}

std::optional<Error> read_bookkeeping(Record& r, std::string_view name, const json& v, const std::string& p) {
  if (name == "id") return read_string(r.id, v, p);
  if (name == "kind") return std::nullopt;  // read first, by record_from_json
  if (name == "updated_by") return read_string(r.updated_by, v, p);
  if (name == "device") return read_string(r.device, v, p);
  if (name == "created_at") return read_string(r.created_at, v, p);
  if (name == "updated_at") return read_string(r.updated_at, v, p);
  if (name == "deleted") return read_bool(r.deleted, v, p);
  if (name == "hlc") return read_string(r.clock, v, p);
  // field_hlc
  r.field_clocks.clear();
  if (v.is_null()) return std::nullopt;
  if (!v.is_object()) return type_error(p, "an object", "オブジェクト");
  for (const auto& [field, clock] : v.items()) {
    if (!clock.is_string()) return type_error(p + "/" + field, "a string", "文字列");
    r.field_clocks[field] = clock.get<std::string>();
  }
  return std::nullopt;
}

// Every top-level field a plain record may have: the content fields (by their index in content_codecs()) and the
// bookkeeping ones (kBookkeepingSlot + their index in kBookkeeping).
constexpr int kBookkeepingSlot = 64;

const std::unordered_map<std::string_view, int>& field_slots() {
  static const auto slots = [] {
    std::unordered_map<std::string_view, int> map;
    const auto& codecs = content_codecs();
    for (std::size_t i = 0; i < codecs.size(); ++i) map.emplace(codecs[i].name, static_cast<int>(i));
    for (std::size_t i = 0; i < kBookkeeping.size(); ++i)
      map.emplace(kBookkeeping[i], kBookkeepingSlot + static_cast<int>(i));
    return map;
  }();
  return slots;
}

bool read_bookkeeping_text(Record& r, std::size_t index, JsonReader& in) {
  switch (index) {
    case 0:
      return read_text(r.id, in);
    case 1: {
      std::string name;
      if (!in.string(name)) return false;  // null or a wrong value: the document path names the error
      auto kind = parse_enum<RecordKind>(name);
      if (!kind) return false;
      r.kind = *kind;
      return true;
    }
    case 2:
      return read_text(r.updated_by, in);
    case 3:
      return read_text(r.device, in);
    case 4:
      return read_text(r.created_at, in);
    case 5:
      return read_text(r.updated_at, in);
    case 6:
      return read_flag(r.deleted, in);
    case 7:
      return read_text(r.clock, in);
    default: {  // field_hlc
      r.field_clocks.clear();
      if (in.null()) return true;
      return in.object([&](const std::string& field) {
        auto [it, inserted] = r.field_clocks.try_emplace(field);
        return inserted && in.string(it->second);  // a repeated key: the document keeps the last
      });
    }
  }
}

void write_bookkeeping(std::string& out, const Record& r, std::size_t index) {
  switch (index) {
    case 0:
      return append_json_string(out, r.id);
    case 1:
      return append_json_string(out, enum_name(r.kind));
    case 2:
      return append_json_string(out, r.updated_by);
    case 3:
      return append_json_string(out, r.device);
    case 4:
      return append_json_string(out, r.created_at);
    case 5:
      return append_json_string(out, r.updated_at);
    case 6:
      out += r.deleted ? "true" : "false";
      return;
    case 7:
      return append_json_string(out, r.clock);
    default: {
      out += '{';
      bool first = true;
      for (const auto& [field, clock] : r.field_clocks) {
        if (!first) out += ',';
        first = false;
        append_json_string(out, field);
        out += ':';
        append_json_string(out, clock);
      }
      out += '}';
    }
  }
}

// What record_text prints for a kind, in key order: a content codec, or a bookkeeping field's index.
struct PrintedField {
  std::string_view name;
  const FieldCodec* codec = nullptr;
  std::size_t bookkeeping = 0;
};

const std::vector<PrintedField>& printed_fields(RecordKind kind) {
  static const auto per_kind = [] {
    std::array<std::vector<PrintedField>, enum_count<RecordKind>()> fields;
    for (std::size_t k = 0; k < fields.size(); ++k) {
      for (const auto& codec : content_codecs())
        if (codec.kinds.has(static_cast<RecordKind>(k))) fields[k].push_back({codec.name, &codec, 0});
      for (std::size_t i = 0; i < kBookkeeping.size(); ++i) fields[k].push_back({kBookkeeping[i], nullptr, i});
      std::sort(fields[k].begin(), fields[k].end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    }
    return fields;
  }();
  return per_kind[static_cast<std::size_t>(kind)];
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] Conversions
// ---------------------------------------------------------------------------------------------------------------

const std::vector<std::string>& record_fields(RecordKind kind) {
  static const auto per_kind = [] {
    std::array<std::vector<std::string>, enum_count<RecordKind>()> fields;
    for (std::size_t k = 0; k < fields.size(); ++k)
      for (const auto& codec : content_codecs())
        if (codec.kinds.has(static_cast<RecordKind>(k))) fields[k].emplace_back(codec.name);
    return fields;
  }();
  return per_kind[static_cast<std::size_t>(kind)];
}

const std::vector<std::string>& all_record_fields() {
  static const auto fields = [] {
    std::vector<std::string> names;
    for (const auto& codec : content_codecs()) names.emplace_back(codec.name);
    return names;
  }();
  return fields;
}

json field_value(const Record& record, std::string_view field) {
  if (const FieldCodec* codec = find_codec(field, record.kind)) return codec->get(record);
  auto unknown = record.unknown.find(std::string(field));
  return unknown != record.unknown.end() ? *unknown : json(nullptr);
}

bool is_set_field(std::string_view field) {
  return field == "areas" || field == "themes" || field == "committees" || field == "organizations" ||
         field == "work_items";
}

bool is_member_field(std::string_view field) {
  return is_set_field(field) || field == "agenda" || field == "roles" || field == "follow_ups";
}

std::string member_path(std::string_view field, std::string_view key) {
  return std::string(field) + "/" + std::string(key);
}

std::optional<std::pair<std::string, std::string>> split_member_path(std::string_view path) {
  const auto slash = path.find('/');
  if (slash == std::string_view::npos || !is_member_field(path.substr(0, slash))) return std::nullopt;
  return std::make_pair(std::string(path.substr(0, slash)), std::string(path.substr(slash + 1)));
}

std::string member_key(const json& member) {
  if (member.is_string()) return member.get<std::string>();
  if (member.is_object())
    if (auto id = member.find("id"); id != member.end() && id->is_string() && !id->get<std::string>().empty())
      return id->get<std::string>();
  return member.dump();
}

std::map<std::string, json> field_members(const Record& record, std::string_view field) {
  std::map<std::string, json> members;
  const json list = field_value(record, field);
  if (!list.is_array()) return members;
  for (const json& member : list) {
    // A key given twice (only a hand-made document has that) keeps one member, the same one on every replica.
    auto [it, added] = members.try_emplace(member_key(member), member);
    if (!added && member.dump() > it->second.dump()) it->second = member;
  }
  return members;
}

Status set_field_members(Record& record, std::string_view field, const std::map<std::string, json>& members) {
  std::vector<std::pair<std::string, const json*>> ordered;
  for (const auto& [key, member] : members) ordered.emplace_back(key, &member);
  if (!is_set_field(field)) {
    auto pos = [](const json& item) {
      auto it = item.find("pos");
      return it != item.end() && it->is_number_integer() ? it->get<std::int64_t>() : std::int64_t{0};
    };
    std::stable_sort(ordered.begin(), ordered.end(), [&pos](const auto& a, const auto& b) {
      return pos(*a.second) < pos(*b.second);  // equal positions: by id, the map's order
    });
  }
  json list = json::array();
  for (const auto& [key, member] : ordered) list.push_back(*member);
  const FieldCodec* codec = find_codec(field, record.kind);
  if (!codec) return make_error("record.field", "/" + std::string(field), "no such field", "その項目はありません");
  if (auto error = codec->set(record, list, "/" + std::string(field))) return *error;
  return ok_status();
}

json record_to_json(const Record& record) {
  json out = json::object();
  out["id"] = record.id;
  out["kind"] = std::string(enum_name(record.kind));
  for (const auto& codec : content_codecs())
    if (codec.kinds.has(record.kind)) out[std::string(codec.name)] = codec.get(record);
  out["updated_by"] = record.updated_by;
  out["device"] = record.device;
  out["created_at"] = record.created_at;
  out["updated_at"] = record.updated_at;
  out["deleted"] = record.deleted;
  out["hlc"] = record.clock;
  out["field_hlc"] = record.field_clocks;
  for (const auto& [key, value] : record.unknown.items())
    if (!out.contains(key)) out[key] = value;
  return out;
}

std::string record_text(const Record& record) {
  if (!record.unknown.is_object()) return to_json_text(record_to_json(record));
  std::string out;
  out.reserve(2048);
  out += '{';
  bool first = true;
  auto separate = [&out, &first] {
    if (!first) out += ',';
    first = false;
  };
  // Known and unknown fields merged in key order, as a document (a std::map) holds them; a known field wins over
  // an unknown one of the same name, as in record_to_json.
  auto unknown = record.unknown.begin();
  const auto unknown_end = record.unknown.end();
  auto write_unknown = [&] {
    separate();
    append_json_string(out, unknown.key());
    out += ':';
    append_json_text(out, unknown.value());
    ++unknown;
  };
  for (const PrintedField& field : printed_fields(record.kind)) {
    while (unknown != unknown_end && unknown.key() < field.name) write_unknown();
    if (unknown != unknown_end && unknown.key() == field.name) ++unknown;
    separate();
    append_json_string(out, field.name);
    out += ':';
    if (field.codec)
      field.codec->write(out, record);
    else
      write_bookkeeping(out, record, field.bookkeeping);
  }
  while (unknown != unknown_end) write_unknown();
  out += '}';
  return out;
}

std::optional<Record> read_plain_record(std::string_view text, bool* canonical) {
  JsonReader in(text);
  Record record;
  const auto& codecs = content_codecs();
  const auto& slots = field_slots();
  std::uint64_t seen_content = 0;
  std::uint32_t seen_bookkeeping = 0;
  const bool read = in.object([&](const std::string& key) {
    auto slot = slots.find(key);
    if (slot == slots.end()) return false;  // an unknown field: kept by the document path
    if (slot->second >= kBookkeepingSlot) {
      auto index = static_cast<std::size_t>(slot->second - kBookkeepingSlot);
      if (seen_bookkeeping & (1u << index)) return false;  // repeated
      seen_bookkeeping |= 1u << index;
      return read_bookkeeping_text(record, index, in);
    }
    auto index = static_cast<std::size_t>(slot->second);
    if (seen_content & (std::uint64_t{1} << index)) return false;
    seen_content |= std::uint64_t{1} << index;
    return codecs[index].read(record, in);
  });
  if (!read) return std::nullopt;
  if (!in.at_end()) return std::nullopt;
  if (!(seen_bookkeeping & (1u << 1))) return std::nullopt;  // no kind: the document path names the error
  // Another kind's field is unknown to this one: the document path keeps it in `unknown`.
  for (std::size_t i = 0; i < codecs.size(); ++i)
    if ((seen_content & (std::uint64_t{1} << i)) && !codecs[i].kinds.has(record.kind))
      return std::nullopt;
  if (canonical) *canonical = in.canonical;
  return record;
}

Result<Record> record_from_json(const json& object, const std::string& path) {
  if (!object.is_object()) return type_error(path.empty() ? "/" : path, "an object", "オブジェクト");
  auto kind_it = object.find("kind");
  if (kind_it == object.end())
    return make_error("record.kind_missing", path + "/kind", "missing field \"kind\"", "「kind」がありません");
  std::optional<RecordKind> kind;
  if (auto error = read_enum(kind, *kind_it, path + "/kind")) return *error;
  if (!kind) return make_error("record.kind_missing", path + "/kind", "missing field \"kind\"", "「kind」がありません");

  Record record;
  record.kind = *kind;
  for (const auto& [key, value] : object.items()) {
    std::string field_path = path + "/" + key;
    std::optional<Error> error;
    if (const FieldCodec* codec = find_codec(key, record.kind))
      error = codec->set(record, value, field_path);
    else if (is_legacy_field(key, record.kind))
      continue;  // read below, once the lists are
    else if (is_bookkeeping(key))
      error = read_bookkeeping(record, key, value, field_path);
    else
      record.unknown[key] = value;
    if (error) return *error;
  }
  for (const char* legacy : {"area", "body"}) {
    std::optional<Error> error;
    if (auto it = object.find(legacy); it != object.end())
      read_legacy_field(record, legacy, *it, path + "/" + legacy, false, error);
    if (error) return *error;
  }
  return record;
}

Result<json> parse_json_text(std::string_view text) {
  std::size_t bad = 0;
  if (!is_valid_utf8(text, &bad))
    return make_error("utf8.invalid", "", "invalid UTF-8 at byte " + std::to_string(bad),
                      std::to_string(bad) + "バイト目が不正なUTF-8です");
  if (json_nesting_exceeds(text))
    return make_error("json.depth", "", "arrays and objects nest more than " + std::to_string(kMaxJsonDepth) + " deep",
                      "JSONの入れ子が深すぎます（" + std::to_string(kMaxJsonDepth) + "段まで）");
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    // nlohmann's message names the byte position: "[json.exception.parse_error.101] parse error at line 1, ..."
    return make_error("json.syntax", "", e.what(), std::string("JSONの構文が正しくありません: ") + e.what());
  } catch (const json::exception& e) {
    // A number out of range ("1e400": out_of_range.406) and whatever else the parser refuses.
    return make_error("json.range", "", e.what(), std::string("JSONの数値が範囲外です: ") + e.what());
  }
}

Result<Record> parse_record(std::string_view text) { return parse_record(text, nullptr); }

Result<Record> parse_record(std::string_view text, std::string* canonical) {
  if (is_valid_utf8(text)) {
    bool is_canonical = false;
    auto record = read_plain_record(text, canonical ? &is_canonical : nullptr);
    if (record && (!canonical || is_canonical)) {
      if (canonical) *canonical = text;
      return std::move(*record);
    }
    // Not canonical (white space, another key order...): the document prints its canonical form.
  }
  auto parsed = parse_json_text(text);
  if (!parsed) return parsed.error();
  auto record = record_from_json(*parsed);
  if (record && canonical) *canonical = to_json_text(*parsed);
  return record;
}

Result<Record> apply_patch(const Record& base, const json& patch, std::vector<std::string>* changed) {
  if (!patch.is_object()) return type_error("/", "an object", "オブジェクト");
  Record updated = base;
  for (const auto& [key, value] : patch.items()) {
    std::string field_path = "/" + key;
    if (key == "id" || key == "kind") {
      bool same = key == "id" ? (value.is_string() && value.get<std::string>() == base.id)
                              : (value.is_string() && value.get<std::string>() == enum_name(base.kind));
      if (!same)
        return make_error("record.immutable", field_path, "\"" + key + "\" cannot be changed",
                          "「" + key + "」は変更できません");
      continue;
    }
    if (is_bookkeeping(key)) continue;  // the store sets these
    std::optional<Error> legacy_error;
    if (const FieldCodec* codec = find_codec(key, updated.kind)) {
      if (auto error = codec->set(updated, value, field_path)) return *error;
    } else if (read_legacy_field(updated, key, value, field_path, true, legacy_error)) {
      if (legacy_error) return *legacy_error;
    } else if (value.is_null()) {
      updated.unknown.erase(key);
    } else {
      updated.unknown[key] = value;
    }
  }
  if (changed) *changed = changed_fields(base, updated);
  return updated;
}

std::vector<std::string> changed_fields(const Record& a, const Record& b) {
  std::vector<std::string> changed;
  for (const auto& codec : content_codecs()) {
    if (!codec.kinds.has(a.kind)) continue;
    json before = codec.get(a);
    json after = codec.get(b);
    if (before == after) continue;
    if (!is_member_field(codec.name)) {
      changed.emplace_back(codec.name);
      continue;
    }
    auto old_members = field_members(a, codec.name);
    auto new_members = field_members(b, codec.name);
    for (const auto& [key, member] : old_members)
      if (auto it = new_members.find(key); it == new_members.end() || it->second != member)
        changed.push_back(member_path(codec.name, key));
    for (const auto& [key, member] : new_members)
      if (!old_members.count(key)) changed.push_back(member_path(codec.name, key));
  }
  for (const auto& [key, value] : a.unknown.items())
    if (!b.unknown.contains(key) || b.unknown[key] != value) changed.push_back(key);
  for (const auto& [key, value] : b.unknown.items())
    if (!a.unknown.contains(key)) changed.push_back(key);
  if (a.deleted != b.deleted) changed.emplace_back("deleted");
  return changed;
}

}  // namespace tsunagi
