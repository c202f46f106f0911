// Reference data shared by everyone: themes, areas and wards, committees (a tree), organisations, staff and
// indicators. Kept at the collector, read-only on laptops; a default set ships in assets/reference/default.json.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/error.hpp"
#include "model/files.hpp"

namespace tsunagi {

struct Theme {
  std::string id, name, name_en;
};
struct Area {
  std::string id, name, name_en, parent;  // parent: id of the enclosing area, empty at the top
};
struct Committee {
  std::string id, name, name_en, parent, meeting_type;
};
struct Organization {
  std::string id, name, service_type, area;
};
struct StaffMember {
  std::string id, name, role, team;
};

struct ReferenceData {
  std::vector<Theme> themes;
  std::vector<Area> areas;
  std::vector<Committee> committees;
  std::vector<Organization> organizations;
  std::vector<StaffMember> staff;
  nlohmann::json indicators = nlohmann::json::array();  // read by the reports; kept as given

  bool has_theme(const std::string& name) const;
  bool has_area(const std::string& name) const;
  // The names of committee `name` and of every committee below it in the tree (for "meetings of this committee").
  std::vector<std::string> committee_and_descendants(const std::string& name) const;
  // The names of area `name` and of every area (ward) below it.
  std::vector<std::string> area_and_descendants(const std::string& name) const;
  // Every string a person will see on screen (for the glyph atlas).
  std::string all_text() const;
};

// Reads reference data from its JSON form ({"themes": [...], "areas": [...], ...}); names the path of a wrong type.
Result<ReferenceData> reference_from_json(const nlohmann::json& object);
nlohmann::json reference_to_json(const ReferenceData& reference);
// Reads a reference file (UTF-8 JSON).
Result<ReferenceData> load_reference_file(const std::filesystem::path& path);

}  // namespace tsunagi
