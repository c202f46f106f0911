// Record arrays in their JSON form, and the demo data set a newcomer sees on first start.
#pragma once

#include <string>
#include <vector>

#include "model/error.hpp"
#include "model/record.hpp"
#include "model/store.hpp"

namespace tsunagi {

// A JSON array of records, or an object {"records": [...]}; the error names the index of a bad record.
Result<std::vector<Record>> parse_record_array(const std::string& text);

// Loads assets/demo/records.json (drawn from the seeds) into an empty store, once: a store that ever had it, or
// that already holds records, is left alone.
Status load_demo_once(Store& store);

}  // namespace tsunagi
