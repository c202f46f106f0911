// Reference data shared by everyone: councils (自立支援協議会) with their areas and committee trees, themes,
// organisations, staff, work items (事業項目) and projects (事業), and indicators. Kept at the collector, read-only on
// laptops; a default set ships in assets/reference/default.json, others beside it.
//
// Records refer to entries by id and show names (record.hpp). resolve() turns what a person typed (an id, or a name
// in any width, script or variant) into an id, preferring the record's council.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/error.hpp"
#include "model/files.hpp"

namespace tsunagi {

struct Council {
  std::string id, name, name_en, municipality;
};
// Members that files written before councils lack have initializers, so that code listing the older members alone
// ({id, name, ...}) still reads as complete.
struct Theme {
  std::string id, name, name_en;
  std::string council = {};  // empty: every council's
};
struct Area {
  std::string id, name, name_en, parent;  // parent: id of the enclosing area, empty at the top
  std::string council = {};
  std::string type = {};  // "area", "ward", "city", "department", "municipality"
};
struct Committee {
  std::string id, name, name_en, parent, meeting_type;
  std::string council = {};
  std::string established = {}, abolished = {};  // ISO dates; empty when not known
};
struct Organization {
  std::string id, name, service_type, area;
  std::string role = {};  // "core" 基幹, "commissioned" 委託, "designated" 指定, "government" 行政, "school", "medical", "other"
  std::string council = {}, name_en = {};
};
struct StaffMember {
  std::string id, name, role, team;
  std::string council = {};
};
// A committee's work item (事業項目) for one fiscal year: the committee activity report's rows.
struct WorkItem {
  std::string id, council, committee, number, name, name_en;
  int fiscal_year = 0;
};
// A project (事業) of the plan for one fiscal year: the progress management table's rows.
struct Project {
  std::string id, council, number, name;
  std::string category;  // "new" 新規, "expanded" 拡充, or empty
  std::string plan_place, summary;
  int fiscal_year = 0;
  nlohmann::json figures = nlohmann::json::array();  // [{name, unit, baseline, baseline_year, target, target_year}]
};

// What a reference in a record points at.
enum class ReferenceKind { Council, Area, Theme, Committee, Organization, WorkItem };

struct ReferenceData {
  std::vector<Council> councils;
  std::vector<Theme> themes;
  std::vector<Area> areas;
  std::vector<Committee> committees;
  std::vector<Organization> organizations;
  std::vector<StaffMember> staff;
  std::vector<WorkItem> work_items;
  std::vector<Project> projects;
  nlohmann::json indicators = nlohmann::json::array();  // read by the reports; kept as given

  // The id of the entry of `kind` that `text` names: an id, else a name equal to it once both are folded for search
  // (width, kana, variant kanji), else for themes (long sentences) the one theme whose name contains it. Among
  // several, the one of `council` or of every council; nullopt when none or several remain. Work items and projects
  // share one space of ids.
  std::optional<std::string> resolve(ReferenceKind kind, const std::string& text, const std::string& council = "") const;
  // A work item or project by id or name: among several so named (each committee numbers its own 事業項目), the
  // one of `committees` (ids) and of `fiscal_year`, when exactly one is.
  std::optional<std::string> resolve_work_item(const std::string& text, const std::string& council,
                                               const std::vector<std::string>& committees,
                                               std::optional<int> fiscal_year) const;
  // The council of an entry (by id); empty when it is every council's or not known.
  std::string council_of(ReferenceKind kind, const std::string& id) const;
  // Every id `text` may mean, across councils (a filter's choice): the id itself, or each entry named so.
  std::vector<std::string> matching_ids(ReferenceKind kind, const std::string& text) const;
  // The name to show for a stored value: the entry's name (English when `english` and it has one), else the value.
  std::string name_of(ReferenceKind kind, const std::string& value, bool english = false) const;
  bool known(ReferenceKind kind, const std::string& value) const;
  // Whether there is any entry of `kind` (work items: or projects).
  bool has_any(ReferenceKind kind) const;
  // Up to `count` names of entries of `kind` closest to `text` (for "did you mean"), closest first; with `council`,
  // of that council and of every council only.
  std::vector<std::string> nearest_names(ReferenceKind kind, const std::string& text, std::size_t count = 3,
                                         const std::string& council = "") const;

  bool has_theme(const std::string& text) const { return known(ReferenceKind::Theme, text); }
  bool has_area(const std::string& text) const { return known(ReferenceKind::Area, text); }
  // The ids of the committees `text` names and of every committee below them in the tree.
  std::vector<std::string> committee_and_descendants(const std::string& text) const;
  // The ids of the areas `text` names and of every area (ward) below them.
  std::vector<std::string> area_and_descendants(const std::string& text) const;
  const Committee* committee(const std::string& id) const;
  // The council a person belongs to: their staff entry's, else the only council there is; empty when unknown.
  std::string council_of(const std::string& person) const;
  // Every string a person will see on screen (for the glyph atlas).
  std::string all_text() const;

  // Lookups use an index built on first use (not thread-safe until then: reference_from_json returns data indexed;
  // call reindex() after changing the lists).
  void reindex() const;

 private:
  struct Index;
  mutable std::shared_ptr<const Index> index_;
  const Index& index() const;
};

// Reads reference data from its JSON form ({"councils": [...], "themes": [...], ...}); names the path of a wrong type.
Result<ReferenceData> reference_from_json(const nlohmann::json& object);
nlohmann::json reference_to_json(const ReferenceData& reference);
// Reads a reference file (UTF-8 JSON).
Result<ReferenceData> load_reference_file(const std::filesystem::path& path);
// `base` with every entry of `added` put in: an entry with an id `base` has replaces it, others are appended; lists
// `added` leaves empty stay as they were (so a council's file imports beside another's).
ReferenceData merge_reference(ReferenceData base, const ReferenceData& added);

}  // namespace tsunagi
