#include "model/reference.hpp"

#include <algorithm>
#include <array>
#include <set>

#include "model/platform.hpp"
#include "model/record_json.hpp"
#include "model/search_fold.hpp"
#include "model/text.hpp"

namespace tsunagi {

using nlohmann::json;

namespace {

std::string folded(const std::string& text) { return trim(fold_for_search(text)); }

// Edit distance over code points, for "did you mean".
std::size_t distance(const std::vector<char32_t>& a, const std::vector<char32_t>& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

// One entry as the lookups see it.
struct ReferenceData::Index {
  struct Entry {
    std::string id, name, name_en, council, folded_name;
  };
  std::array<std::vector<Entry>, 6> entries;                           // by ReferenceKind
  std::array<std::map<std::string, std::size_t>, 6> by_id;             // id -> entry
  std::array<std::multimap<std::string, std::size_t>, 6> by_folded;    // folded name -> entries
  std::size_t built_from = 0;                                          // the lists' sizes summed (see index())
};

namespace {

template <class Data>
std::size_t list_sizes(const Data& d) {
  return d.councils.size() + d.areas.size() + d.themes.size() + d.committees.size() + d.organizations.size() +
         d.work_items.size() + d.projects.size();
}

}  // namespace

void ReferenceData::reindex() const {
  auto index = std::make_shared<Index>();
  auto add = [&index](ReferenceKind kind, const std::string& id, const std::string& name, const std::string& name_en,
                      const std::string& council) {
    auto k = static_cast<std::size_t>(kind);
    if (id.empty() || index->by_id[k].count(id)) return;  // a repeated id: the first entry wins
    index->by_id[k][id] = index->entries[k].size();
    if (!name.empty()) index->by_folded[k].emplace(folded(name), index->entries[k].size());
    index->entries[k].push_back({id, name, name_en, council, folded(name)});
  };
  for (const auto& c : councils) add(ReferenceKind::Council, c.id, c.name, c.name_en, c.id);
  for (const auto& a : areas) add(ReferenceKind::Area, a.id, a.name, a.name_en, a.council);
  for (const auto& t : themes) add(ReferenceKind::Theme, t.id, t.name, t.name_en, t.council);
  for (const auto& c : committees) add(ReferenceKind::Committee, c.id, c.name, c.name_en, c.council);
  for (const auto& o : organizations) add(ReferenceKind::Organization, o.id, o.name, o.name_en, o.council);
  for (const auto& w : work_items) add(ReferenceKind::WorkItem, w.id, w.name, w.name_en, w.council);
  for (const auto& p : projects) add(ReferenceKind::WorkItem, p.id, p.name, "", p.council);
  index->built_from = list_sizes(*this);
  index_ = std::move(index);
}

const ReferenceData::Index& ReferenceData::index() const {
  // An entry added or removed since (tests and editors change the lists in place) builds it again.
  if (!index_ || index_->built_from != list_sizes(*this)) reindex();
  return *index_;
}

std::optional<std::string> ReferenceData::resolve(ReferenceKind kind, const std::string& text,
                                                  const std::string& council) const {
  const Index& in = index();
  const auto k = static_cast<std::size_t>(kind);
  if (in.by_id[k].count(text)) return text;
  const std::string key = folded(text);
  if (key.empty()) return std::nullopt;
  std::vector<std::size_t> found;
  auto [first, last] = in.by_folded[k].equal_range(key);
  for (auto it = first; it != last; ++it) found.push_back(it->second);
  if (found.empty() && kind == ReferenceKind::Theme)
    for (std::size_t i = 0; i < in.entries[k].size(); ++i)
      if (in.entries[k][i].folded_name.find(key) != std::string::npos) found.push_back(i);
  if (found.size() > 1) {
    // Prefer the record's council, then entries every council shares; several in either is ambiguous.
    auto in_scope = [&](const std::string& scope) {
      std::vector<std::size_t> kept;
      for (std::size_t i : found)
        if (in.entries[k][i].council == scope) kept.push_back(i);
      return kept;
    };
    auto preferred = council.empty() ? std::vector<std::size_t>{} : in_scope(council);
    found = preferred.empty() ? in_scope("") : std::move(preferred);
  }
  if (found.size() != 1) return std::nullopt;
  return in.entries[k][found.front()].id;
}

std::optional<std::string> ReferenceData::resolve_work_item(const std::string& text, const std::string& council,
                                                            const std::vector<std::string>& committees,
                                                            std::optional<int> fiscal_year) const {
  if (auto one = resolve(ReferenceKind::WorkItem, text, council)) return one;
  std::vector<std::string> fitting;
  for (const auto& id : matching_ids(ReferenceKind::WorkItem, text)) {
    auto item = std::find_if(work_items.begin(), work_items.end(), [&id](const WorkItem& w) { return w.id == id; });
    if (item == work_items.end()) continue;  // a project: named once per plan
    if (!council.empty() && !item->council.empty() && item->council != council) continue;
    if (std::find(committees.begin(), committees.end(), item->committee) == committees.end()) continue;
    if (fiscal_year && item->fiscal_year != 0 && item->fiscal_year != *fiscal_year) continue;
    fitting.push_back(id);
  }
  if (fitting.size() != 1) return std::nullopt;
  return fitting.front();
}

std::string ReferenceData::council_of(ReferenceKind kind, const std::string& id) const {
  const Index& in = index();
  const auto k = static_cast<std::size_t>(kind);
  auto it = in.by_id[k].find(id);
  return it == in.by_id[k].end() ? std::string() : in.entries[k][it->second].council;
}

std::vector<std::string> ReferenceData::matching_ids(ReferenceKind kind, const std::string& text) const {
  const Index& in = index();
  const auto k = static_cast<std::size_t>(kind);
  std::vector<std::string> ids;
  if (in.by_id[k].count(text)) ids.push_back(text);
  auto [first, last] = in.by_folded[k].equal_range(folded(text));
  for (auto it = first; it != last; ++it) ids.push_back(in.entries[k][it->second].id);
  if (ids.empty())
    if (auto one = resolve(kind, text)) ids.push_back(*one);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

std::string ReferenceData::name_of(ReferenceKind kind, const std::string& value, bool english) const {
  const Index& in = index();
  const auto k = static_cast<std::size_t>(kind);
  auto it = in.by_id[k].find(value);
  if (it == in.by_id[k].end()) return value;
  const auto& entry = in.entries[k][it->second];
  return english && !entry.name_en.empty() ? entry.name_en : entry.name;
}

bool ReferenceData::has_any(ReferenceKind kind) const {
  return !index().entries[static_cast<std::size_t>(kind)].empty();
}

bool ReferenceData::known(ReferenceKind kind, const std::string& value) const {
  return resolve(kind, value).has_value() || !matching_ids(kind, value).empty();
}

std::vector<std::string> ReferenceData::nearest_names(ReferenceKind kind, const std::string& text, std::size_t count,
                                                      const std::string& council) const {
  const Index& in = index();
  const auto& entries = in.entries[static_cast<std::size_t>(kind)];
  const auto key = decode_utf8(folded(text));
  std::vector<std::pair<std::size_t, std::string>> scored;
  for (const auto& entry : entries) {
    if (!council.empty() && !entry.council.empty() && entry.council != council) continue;
    auto name = decode_utf8(entry.folded_name);
    // A name that contains what was typed is as near as can be; else the edit distance.
    bool contains = !key.empty() && entry.folded_name.find(folded(text)) != std::string::npos;
    scored.emplace_back(contains ? 0 : distance(key, name) + 1, entry.name);
  }
  std::stable_sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> names;
  for (const auto& [score, name] : scored) {
    if (names.size() == count) break;
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  return names;
}

const Committee* ReferenceData::committee(const std::string& id) const {
  for (const auto& c : committees)
    if (c.id == id) return &c;
  return nullptr;
}

std::string ReferenceData::council_of(const std::string& person) const {
  for (const auto& member : staff)
    if (member.name == person && !member.council.empty()) return member.council;
  return councils.size() == 1 ? councils.front().id : std::string();
}

namespace {

// Walks a tree given as items with `id` and `parent` (an id): the ids in `roots` and every id below them.
template <class Node>
std::vector<std::string> ids_in_subtrees(const std::vector<Node>& nodes, std::vector<std::string> roots) {
  std::vector<std::string> ids = roots;
  std::set<std::string> seen;  // reference data comes from outside: a cycle must not hang us
  while (!roots.empty()) {
    std::string parent = roots.back();
    roots.pop_back();
    if (!seen.insert(parent).second) continue;
    for (const auto& node : nodes) {
      if (node.parent != parent || node.parent.empty()) continue;
      if (std::find(ids.begin(), ids.end(), node.id) == ids.end()) ids.push_back(node.id);
      roots.push_back(node.id);
    }
  }
  return ids;
}

}  // namespace

std::vector<std::string> ReferenceData::committee_and_descendants(const std::string& text) const {
  return ids_in_subtrees(committees, matching_ids(ReferenceKind::Committee, text));
}

std::vector<std::string> ReferenceData::area_and_descendants(const std::string& text) const {
  return ids_in_subtrees(areas, matching_ids(ReferenceKind::Area, text));
}

std::string ReferenceData::all_text() const {
  std::string text;
  for (const auto& c : councils) text += c.name + '\n' + c.municipality + '\n';
  for (const auto& t : themes) text += t.name + '\n';
  for (const auto& a : areas) text += a.name + '\n';
  for (const auto& c : committees) text += c.name + '\n';
  for (const auto& o : organizations) text += o.name + '\n' + o.service_type + '\n';
  for (const auto& s : staff) text += s.name + '\n';
  for (const auto& w : work_items) text += w.name + '\n';
  for (const auto& p : projects) text += p.name + '\n';
  for (const auto& indicator : indicators)
    if (indicator.is_object() && indicator.contains("name") && indicator["name"].is_string())
      text += indicator["name"].get<std::string>() + '\n';
  return text;
}

namespace {

// One member of an entry: a string, or an integer (a fiscal year).
template <class Item>
struct Member {
  const char* name;
  std::string Item::*text = nullptr;
  int Item::*number = nullptr;
  nlohmann::json Item::*document = nullptr;
};

// Reads array `key` of `object`, each element an object whose listed members have their type (or are null/absent).
template <class Item>
std::optional<Error> read_list(const json& object, const char* key, std::vector<Item>& out,
                               const std::vector<Member<Item>>& members) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::nullopt;
  std::string path = std::string("/") + key;
  if (!it->is_array()) return make_error("json.type", path, "expected an array", "配列が必要です");
  for (std::size_t i = 0; i < it->size(); ++i) {
    const json& element = (*it)[i];
    std::string element_path = path + "/" + std::to_string(i);
    if (!element.is_object())
      return make_error("json.type", element_path, "expected an object", "オブジェクトが必要です");
    Item item;
    for (const auto& member : members) {
      auto value = element.find(member.name);
      if (value == element.end() || value->is_null()) continue;
      const std::string member_path = element_path + "/" + member.name;
      if (member.text) {
        if (!value->is_string()) return make_error("json.type", member_path, "expected a string", "文字列が必要です");
        item.*member.text = value->template get<std::string>();
      } else if (member.number) {
        if (!value->is_number_integer() || value->template get<long long>() < 0 ||
            value->template get<long long>() > 9999)
          return make_error("json.type", member_path, "expected a year (an integer)", "年（整数）が必要です");
        item.*member.number = value->template get<int>();
      } else {
        item.*member.document = *value;
      }
    }
    out.push_back(std::move(item));
  }
  return std::nullopt;
}

template <class Item>
json write_list(const std::vector<Item>& items, const std::vector<Member<Item>>& members) {
  json out = json::array();
  for (const Item& item : items) {
    json entry = json::object();
    for (const auto& member : members) {
      if (member.text) {
        const std::string& text = item.*member.text;
        // Tree links and dates are null when absent, as the files write them.
        const bool nullable = std::string_view(member.name) == "parent" || std::string_view(member.name) == "established" ||
                              std::string_view(member.name) == "abolished";
        entry[member.name] = nullable && text.empty() ? json(nullptr) : json(text);
      } else if (member.number) {
        entry[member.name] = item.*member.number;
      } else {
        entry[member.name] = item.*member.document;
      }
    }
    out.push_back(std::move(entry));
  }
  return out;
}

const std::vector<Member<Council>> kCouncilMembers{
    {"id", &Council::id}, {"name", &Council::name}, {"name_en", &Council::name_en},
    {"municipality", &Council::municipality}};
const std::vector<Member<Theme>> kThemeMembers{
    {"id", &Theme::id}, {"name", &Theme::name}, {"name_en", &Theme::name_en}, {"council", &Theme::council}};
const std::vector<Member<Area>> kAreaMembers{{"id", &Area::id},           {"name", &Area::name},
                                             {"name_en", &Area::name_en}, {"parent", &Area::parent},
                                             {"council", &Area::council}, {"type", &Area::type}};
const std::vector<Member<Committee>> kCommitteeMembers{
    {"id", &Committee::id},           {"name", &Committee::name},
    {"name_en", &Committee::name_en}, {"parent", &Committee::parent},
    {"meeting_type", &Committee::meeting_type}, {"council", &Committee::council},
    {"established", &Committee::established},   {"abolished", &Committee::abolished}};
const std::vector<Member<Organization>> kOrganizationMembers{
    {"id", &Organization::id},           {"name", &Organization::name}, {"name_en", &Organization::name_en},
    {"service_type", &Organization::service_type}, {"role", &Organization::role}, {"area", &Organization::area},
    {"council", &Organization::council}};
const std::vector<Member<StaffMember>> kStaffMembers{{"id", &StaffMember::id},     {"name", &StaffMember::name},
                                                     {"role", &StaffMember::role}, {"team", &StaffMember::team},
                                                     {"council", &StaffMember::council}};
const std::vector<Member<WorkItem>> kWorkItemMembers{
    {"id", &WorkItem::id},         {"council", &WorkItem::council}, {"committee", &WorkItem::committee},
    {"fiscal_year", nullptr, &WorkItem::fiscal_year}, {"number", &WorkItem::number}, {"name", &WorkItem::name},
    {"name_en", &WorkItem::name_en}};
const std::vector<Member<Project>> kProjectMembers{
    {"id", &Project::id},
    {"council", &Project::council},
    {"fiscal_year", nullptr, &Project::fiscal_year},
    {"number", &Project::number},
    {"name", &Project::name},
    {"category", &Project::category},
    {"plan_place", &Project::plan_place},
    {"summary", &Project::summary},
    {"figures", nullptr, nullptr, &Project::figures}};

}  // namespace

Result<ReferenceData> reference_from_json(const json& object) {
  if (!object.is_object()) return make_error("json.type", "/", "expected an object", "オブジェクトが必要です");
  ReferenceData data;
  std::optional<Error> error;
  if ((error = read_list(object, "councils", data.councils, kCouncilMembers)) ||
      (error = read_list(object, "themes", data.themes, kThemeMembers)) ||
      (error = read_list(object, "areas", data.areas, kAreaMembers)) ||
      (error = read_list(object, "committees", data.committees, kCommitteeMembers)) ||
      (error = read_list(object, "organizations", data.organizations, kOrganizationMembers)) ||
      (error = read_list(object, "staff", data.staff, kStaffMembers)) ||
      (error = read_list(object, "work_items", data.work_items, kWorkItemMembers)) ||
      (error = read_list(object, "projects", data.projects, kProjectMembers)))
    return *error;
  for (std::size_t i = 0; i < data.projects.size(); ++i)
    if (!data.projects[i].figures.is_array())
      return make_error("json.type", "/projects/" + std::to_string(i) + "/figures", "expected an array",
                        "配列が必要です");
  if (auto it = object.find("indicators"); it != object.end() && !it->is_null()) {
    if (!it->is_array()) return make_error("json.type", "/indicators", "expected an array", "配列が必要です");
    data.indicators = *it;
  }
  data.reindex();
  return data;
}

json reference_to_json(const ReferenceData& r) {
  json out = json::object();
  out["format"] = "tsunagi-reference";
  out["version"] = 2;
  out["councils"] = write_list(r.councils, kCouncilMembers);
  out["themes"] = write_list(r.themes, kThemeMembers);
  out["areas"] = write_list(r.areas, kAreaMembers);
  out["committees"] = write_list(r.committees, kCommitteeMembers);
  out["organizations"] = write_list(r.organizations, kOrganizationMembers);
  out["staff"] = write_list(r.staff, kStaffMembers);
  out["work_items"] = write_list(r.work_items, kWorkItemMembers);
  out["projects"] = write_list(r.projects, kProjectMembers);
  out["indicators"] = r.indicators;
  return out;
}

namespace {

template <class Item>
void merge_list(std::vector<Item>& base, const std::vector<Item>& added) {
  for (const Item& item : added) {
    auto same = std::find_if(base.begin(), base.end(), [&item](const Item& b) { return b.id == item.id; });
    if (same != base.end())
      *same = item;
    else
      base.push_back(item);
  }
}

}  // namespace

ReferenceData merge_reference(ReferenceData base, const ReferenceData& added) {
  merge_list(base.councils, added.councils);
  merge_list(base.themes, added.themes);
  merge_list(base.areas, added.areas);
  merge_list(base.committees, added.committees);
  merge_list(base.organizations, added.organizations);
  merge_list(base.staff, added.staff);
  merge_list(base.work_items, added.work_items);
  merge_list(base.projects, added.projects);
  for (const json& indicator : added.indicators) {
    auto same = std::find_if(base.indicators.begin(), base.indicators.end(), [&indicator](const json& b) {
      return b.is_object() && indicator.is_object() && b.value("id", "") == indicator.value("id", "");
    });
    if (same != base.indicators.end())
      *same = indicator;
    else
      base.indicators.push_back(indicator);
  }
  base.reindex();
  return base;
}

Result<ReferenceData> load_reference_file(const std::filesystem::path& path) {
  auto text = read_file(path);
  if (!text) return text.error();
  auto parsed = parse_json_text(*text);
  if (!parsed) return parsed.error().with_context(platform::path_to_utf8(path));
  auto data = reference_from_json(*parsed);
  if (!data) return data.error().with_context(platform::path_to_utf8(path));
  return data;
}

}  // namespace tsunagi
