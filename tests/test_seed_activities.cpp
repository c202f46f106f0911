// Real activities typed in from seeds 000 (Ogori), 002 (Hiratsuka), 003 (Kitakyushu) and 004 (Kodama), as the seeds
// write them (dates included, M/D read within the file's fiscal year), imported the way `tsunagi import --fy` does,
// and checked field by field against what the store must hold. The fixtures name the seed lines they come from.
#include <catch2/catch.hpp>

#include <filesystem>

#include "model/files.hpp"
#include "model/record_json.hpp"
#include "model/validation.hpp"
#include "store_fixture.hpp"

using namespace tsunagi;
using nlohmann::json;

namespace {

const std::filesystem::path kFixtures = std::filesystem::path(TSUNAGI_TEST_SOURCE_DIR) / "fixtures" / "seed_activities";

json read_json(const std::filesystem::path& path) {
  auto text = read_file(path);
  if (!text) throw std::runtime_error(text.error().describe());
  auto parsed = parse_json_text(*text);
  if (!parsed) throw std::runtime_error(parsed.error().describe());
  return *parsed;
}

// The default reference data with every seed council's file beside it, as `reference import` builds it.
ReferenceData all_councils() {
  auto merged = load_reference_file(assets_dir() / "reference" / "default.json");
  if (!merged) throw std::runtime_error(merged.error().describe());
  ReferenceData reference = std::move(*merged);
  for (const char* council : {"kodama", "hiratsuka", "ogori", "kitakyushu"}) {
    auto file = load_reference_file(assets_dir() / "reference" / (std::string(council) + ".json"));
    if (!file) throw std::runtime_error(file.error().describe());
    reference = merge_reference(std::move(reference), *file);
  }
  return reference;
}

// A stored value with its list bookkeeping (each agenda item's id and position) left out.
json without_item_keys(json value) {
  if (value.is_array())
    for (json& item : value)
      if (item.is_object()) {
        item.erase("id");
        item.erase("pos");
      }
  return value;
}

// What a field holds when nothing was given for it.
bool is_empty_value(const std::string& field, const json& value) {
  if (value.is_null() || value == "" || value == json::array() || value == false) return true;
  return (field == "date_precision" && value == "day") || (field == "status" && value == "draft");
}

}  // namespace

TEST_CASE_METHOD(StoreFixture, "at least 40 real activities from the seeds import as written and store field by field",
                 "[store][seeds]") {
  REQUIRE(store->replace_reference(all_councils()).ok());
  std::size_t checked = 0;
  for (const char* name : {"000_ogori.json", "002_hiratsuka.json", "003_kitakyushu.json", "004_kodama.json"}) {
    const json fixture = read_json(kFixtures / name);
    NormalizeOptions options;  // what --fy gives the import
    if (fixture["fiscal_year"].is_string()) {
      options.fiscal_year = parse_fiscal_year(fixture["fiscal_year"].get<std::string>());
      REQUIRE(options.fiscal_year);
    }
    std::vector<Record> records;
    for (const json& entry : fixture["records"]) {
      auto record = record_from_json(entry["input"]);
      INFO(name << ": " << entry["input"].dump());
      REQUIRE(record.ok());
      for (const auto& note : normalize_record(*record, options)) CHECK(note.severity == Severity::Warning);
      record->id = std::string(name).substr(0, 3) + "-" + std::to_string(records.size() + 1);  // to find it again
      records.push_back(std::move(*record));
    }
    const std::size_t count = records.size();
    auto imported = store->import_records(records);
    INFO(name << ": " << (imported ? std::string() : imported.error().describe()));
    REQUIRE(imported.ok());
    REQUIRE(*imported == count);

    for (std::size_t i = 0; i < count; ++i) {
      const json& entry = fixture["records"][i];
      auto stored = store->get(records[i].id);
      REQUIRE(stored.ok());
      REQUIRE(stored->has_value());
      const json document = record_to_json(**stored);
      const json& expected = entry["expected"];
      INFO(name << " record " << i + 1 << ": " << entry["quote"].get<std::string>());
      for (const auto& field : record_fields((*stored)->kind)) {
        INFO("field " << field);
        const json value = without_item_keys(document.value(field, json(nullptr)));
        if (field == "author")
          CHECK(value == "田中 花子");  // who imported them (the fixture's store)
        else if (expected.contains(field))
          CHECK(value == expected[field]);
        else
          CHECK(is_empty_value(field, value));
      }
      CHECK(expected.value("kind", "") == document["kind"]);
      ++checked;
    }
  }
  CHECK(checked >= 40);

  // The references resolve to what the reports count by: councils apart, committees with their sub-committees.
  RecordQuery kodama;
  kodama.council = "kodama";
  kodama.limit = 0;
  auto in_kodama = store->count(kodama);
  REQUIRE(in_kodama.ok());
  CHECK(*in_kodama == 32);
  kodama.committee = "相談支援部会";  // a name two councils use: --council keeps them apart
  auto consultation = store->count(kodama);
  REQUIRE(consultation.ok());
  RecordQuery everywhere;
  everywhere.committee = "相談支援部会";
  everywhere.limit = 0;
  auto both = store->count(everywhere);
  REQUIRE(both.ok());
  CHECK(*consultation > 0);
  CHECK(*both >= *consultation);
}
