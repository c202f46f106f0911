#include "model/conflict_rows.hpp"

#include "model/json_text.hpp"
#include "model/record_json.hpp"

namespace tsunagi {

Status insert_conflict(Statement& insert, const FieldConflict& conflict) {
  return insert.bind(1, conflict.record_id)
      .bind(2, conflict.field)
      .bind(3, conflict.clock)
      .bind(4, to_json_text(conflict.value))
      .bind(5, conflict.winner_clock)
      .bind(6, conflict.by)
      .bind(7, conflict.device)
      .bind(8, conflict.at)
      .run();
}

Result<std::vector<FieldConflict>> read_conflicts(Statement& select, const std::string& record_id) {
  std::vector<FieldConflict> out;
  for (;;) {
    auto row = select.step();
    if (!row) return row.error();
    if (!*row) break;
    auto value = parse_json_text(select.text(2));
    out.push_back({record_id, select.text(0), value ? std::move(*value) : nlohmann::json(nullptr), select.text(1),
                   select.text(3), select.text(4), select.text(5), select.text(6)});
  }
  select.reset();
  return out;
}

Status drop_resolved(Statement& drop, const Record& record, const std::vector<FieldConflict>& kept) {
  for (const FieldConflict& conflict : kept)
    if (!conflict_open(record, conflict))
      if (auto status = drop.bind(1, record.id).bind(2, conflict.field).bind(3, conflict.clock).run(); !status)
        return status;
  return ok_status();
}

}  // namespace tsunagi
