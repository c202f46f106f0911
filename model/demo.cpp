#include "model/demo.hpp"

#include "model/files.hpp"
#include "model/record_json.hpp"

namespace tsunagi {

using json = nlohmann::json;

Result<std::vector<Record>> parse_record_array(const std::string& text) {
  auto parsed = parse_json_text(text);
  if (!parsed) return parsed.error();
  const json* array = &*parsed;
  if (parsed->is_object() && parsed->contains("records")) array = &(*parsed)["records"];
  if (!array->is_array())
    return make_error("json.type", "/", "expected a JSON array of records", "記録のJSON配列が必要です");
  std::vector<Record> records;
  records.reserve(array->size());
  for (std::size_t i = 0; i < array->size(); ++i) {
    auto record = record_from_json((*array)[i], std::string("/").append(std::to_string(i)));
    if (!record) return record.error();
    records.push_back(std::move(*record));
  }
  return records;
}

Status load_demo_once(Store& store) {
  auto loaded = store.setting("demo_loaded");
  if (!loaded) return loaded.error();
  if (*loaded == "1") return ok_status();
  RecordQuery everything;
  everything.include_deleted = true;
  auto count = store.count(everything);
  if (!count) return count.error();
  if (*count == 0) {
    auto text = read_file(assets_dir() / "demo" / "records.json");
    if (!text) return text.error();
    auto records = parse_record_array(*text);
    if (!records) return records.error().with_context("demo data");
    auto written = store.import_records(std::move(*records));
    if (!written) return written.error().with_context("demo data");
  }
  return store.set_setting("demo_loaded", "1");
}

}  // namespace tsunagi
