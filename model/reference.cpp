#include "model/reference.hpp"

#include <set>

#include "model/record_json.hpp"

namespace tsunagi {

using nlohmann::json;

bool ReferenceData::has_theme(const std::string& name) const {
  for (const auto& theme : themes)
    if (theme.name == name) return true;
  return false;
}

bool ReferenceData::has_area(const std::string& name) const {
  for (const auto& area : areas)
    if (area.name == name) return true;
  return false;
}

namespace {

// Walks a tree given as items with `id`, `name` and `parent` (an id): `name` and the names of everything below it.
template <class Node>
std::vector<std::string> names_in_subtree(const std::vector<Node>& nodes, const std::string& name) {
  std::vector<std::string> names{name};
  std::vector<std::string> frontier;
  std::set<std::string> seen;  // reference data comes from outside: a cycle must not hang us
  for (const auto& node : nodes)
    if (node.name == name) frontier.push_back(node.id);
  while (!frontier.empty()) {
    std::string parent = frontier.back();
    frontier.pop_back();
    if (!seen.insert(parent).second) continue;
    for (const auto& node : nodes) {
      if (node.parent != parent || node.parent.empty()) continue;
      names.push_back(node.name);
      frontier.push_back(node.id);
    }
  }
  return names;
}

}  // namespace

std::vector<std::string> ReferenceData::committee_and_descendants(const std::string& name) const {
  return names_in_subtree(committees, name);
}

std::vector<std::string> ReferenceData::area_and_descendants(const std::string& name) const {
  return names_in_subtree(areas, name);
}

std::string ReferenceData::all_text() const {
  std::string text;
  for (const auto& t : themes) text += t.name + '\n';
  for (const auto& a : areas) text += a.name + '\n';
  for (const auto& c : committees) text += c.name + '\n';
  for (const auto& o : organizations) text += o.name + '\n' + o.service_type + '\n';
  for (const auto& s : staff) text += s.name + '\n';
  for (const auto& indicator : indicators)
    if (indicator.is_object() && indicator.contains("name") && indicator["name"].is_string())
      text += indicator["name"].get<std::string>() + '\n';
  return text;
}

namespace {

// Reads array `key` of `object`, each element an object whose listed members are strings (or null/absent).
template <class Item>
std::optional<Error> read_list(const json& object, const char* key, std::vector<Item>& out,
                               std::vector<std::pair<const char*, std::string Item::*>> members) {
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
    for (const auto& [name, member] : members) {
      auto value = element.find(name);
      if (value == element.end() || value->is_null()) continue;
      if (!value->is_string())
        return make_error("json.type", element_path + "/" + name, "expected a string", "文字列が必要です");
      item.*member = value->template get<std::string>();
    }
    out.push_back(std::move(item));
  }
  return std::nullopt;
}

}  // namespace

Result<ReferenceData> reference_from_json(const json& object) {
  if (!object.is_object()) return make_error("json.type", "/", "expected an object", "オブジェクトが必要です");
  ReferenceData data;
  std::optional<Error> error;
  if ((error = read_list<Theme>(object, "themes", data.themes,
                                {{"id", &Theme::id}, {"name", &Theme::name}, {"name_en", &Theme::name_en}})))
    return *error;
  if ((error = read_list<Area>(
           object, "areas", data.areas,
           {{"id", &Area::id}, {"name", &Area::name}, {"name_en", &Area::name_en}, {"parent", &Area::parent}})))
    return *error;
  if ((error = read_list<Committee>(object, "committees", data.committees,
                                    {{"id", &Committee::id},
                                     {"name", &Committee::name},
                                     {"name_en", &Committee::name_en},
                                     {"parent", &Committee::parent},
                                     {"meeting_type", &Committee::meeting_type}})))
    return *error;
  if ((error = read_list<Organization>(object, "organizations", data.organizations,
                                       {{"id", &Organization::id},
                                        {"name", &Organization::name},
                                        {"service_type", &Organization::service_type},
                                        {"area", &Organization::area}})))
    return *error;
  if ((error = read_list<StaffMember>(object, "staff", data.staff,
                                      {{"id", &StaffMember::id},
                                       {"name", &StaffMember::name},
                                       {"role", &StaffMember::role},
                                       {"team", &StaffMember::team}})))
    return *error;
  if (auto it = object.find("indicators"); it != object.end() && !it->is_null()) {
    if (!it->is_array()) return make_error("json.type", "/indicators", "expected an array", "配列が必要です");
    data.indicators = *it;
  }
  return data;
}

json reference_to_json(const ReferenceData& r) {
  json out = json::object();
  out["format"] = "tsunagi-reference";
  out["version"] = 1;
  auto& themes = out["themes"] = json::array();
  for (const auto& t : r.themes) themes.push_back({{"id", t.id}, {"name", t.name}, {"name_en", t.name_en}});
  auto& areas = out["areas"] = json::array();
  for (const auto& a : r.areas)
    areas.push_back({{"id", a.id},
                     {"name", a.name},
                     {"name_en", a.name_en},
                     {"parent", a.parent.empty() ? json(nullptr) : json(a.parent)}});
  auto& committees = out["committees"] = json::array();
  for (const auto& c : r.committees)
    committees.push_back({{"id", c.id},
                          {"name", c.name},
                          {"name_en", c.name_en},
                          {"parent", c.parent.empty() ? json(nullptr) : json(c.parent)},
                          {"meeting_type", c.meeting_type}});
  auto& organizations = out["organizations"] = json::array();
  for (const auto& o : r.organizations)
    organizations.push_back({{"id", o.id}, {"name", o.name}, {"service_type", o.service_type}, {"area", o.area}});
  auto& staff = out["staff"] = json::array();
  for (const auto& s : r.staff) staff.push_back({{"id", s.id}, {"name", s.name}, {"role", s.role}, {"team", s.team}});
  out["indicators"] = r.indicators;
  return out;
}

Result<ReferenceData> load_reference_file(const std::filesystem::path& path) {
  auto text = read_file(path);
  if (!text) return text.error();
  auto parsed = parse_json_text(*text);
  if (!parsed) return parsed.error().with_context(path.string());
  auto data = reference_from_json(*parsed);
  if (!data) return data.error().with_context(path.string());
  return data;
}

}  // namespace tsunagi
