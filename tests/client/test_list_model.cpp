// The record list's model without a window: rows arrive page by page from its worker, in the store's order,
// wherever the screen scrolls; filters and search answer with the matching rows; a reload after a change keeps
// the rows on screen until fresh ones arrive.
#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <thread>

#include "app/list_model.hpp"
#include "bench/bench_data.hpp"
#include "tests/store_fixture.hpp"

namespace tsunagi {
namespace {

// Polls `model` as the UI thread does each frame, asking for rows [first, last), until they are all there.
void settle(RecordListModel& model, std::int64_t first, std::int64_t last) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (;;) {
    model.poll();
    model.want_rows(first, last);
    const RecordListState& state = model.state();
    bool complete = state.loaded && !state.loading;
    for (std::int64_t i = first; complete && i < std::min(last, state.total); ++i) complete = model.row(i) != nullptr;
    if (complete) return;
    if (std::chrono::steady_clock::now() > deadline) FAIL("the list model did not settle in 30 s");
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

struct ListFixture : StoreFixture {
  ListFixture() {
    std::vector<Record> records;
    for (std::uint32_t i = 0; i < 1000; ++i) records.push_back(bench::make_record(i));
    auto imported = store->import_records(std::move(records));
    REQUIRE(imported);
  }
  std::filesystem::path data() const { return folder.path / "data"; }
  std::vector<RecordSummary> expected(RecordQuery query) const {
    query.limit = 0;
    auto rows = store->list(query);
    REQUIRE(rows);
    return *rows;
  }
};

}  // namespace

TEST_CASE_METHOD(ListFixture, "the list model pages rows in the store's order wherever the screen looks",
                 "[client][list]") {
  RecordListModel model(data());
  model.request(RecordQuery{});
  settle(model, 0, 30);
  const auto all = expected(RecordQuery{});
  REQUIRE(model.state().total == 1000);
  REQUIRE(all.size() == 1000);
  for (std::int64_t i = 0; i < 30; ++i) CHECK(model.row(i)->id == all[static_cast<std::size_t>(i)].id);
  CHECK(model.row(500) == nullptr);  // not asked for: not loaded

  // Jump to the end, as dragging the scrollbar does.
  settle(model, 980, 1000);
  for (std::int64_t i = 980; i < 1000; ++i) CHECK(model.row(i)->id == all[static_cast<std::size_t>(i)].id);
  // And to a page boundary in the middle.
  settle(model, 395, 420);
  for (std::int64_t i = 395; i < 420; ++i) CHECK(model.row(i)->id == all[static_cast<std::size_t>(i)].id);
  CHECK(model.row(1000) == nullptr);
}

TEST_CASE_METHOD(ListFixture, "filters and search answer with exactly the matching rows", "[client][list]") {
  RecordListModel model(data());
  RecordQuery query;
  query.kind = RecordKind::Outreach;
  query.area = "東区";
  query.sort = SortColumn::Title;
  query.descending = false;
  model.request(query);
  settle(model, 0, 200);
  const auto matching = expected(query);
  REQUIRE(model.state().total == static_cast<std::int64_t>(matching.size()));
  REQUIRE_FALSE(matching.empty());
  for (std::size_t i = 0; i < matching.size(); ++i) {
    CHECK(model.row(static_cast<std::int64_t>(i))->id == matching[i].id);
    CHECK(model.row(static_cast<std::int64_t>(i))->kind == RecordKind::Outreach);
  }

  RecordQuery search;
  search.search = "服薬管理";
  model.request(search);
  settle(model, 0, 50);
  CHECK(model.state().total == static_cast<std::int64_t>(expected(search).size()));
  CHECK(model.state().query.search == "服薬管理");
}

TEST_CASE_METHOD(ListFixture, "a reload shows a new record and keeps the old rows until then", "[client][list]") {
  RecordListModel model(data());
  model.request(RecordQuery{});
  settle(model, 0, 20);
  const std::string first_before = model.row(0)->id;

  add(R"({"kind": "meeting", "date": "2099-01-01", "title": "いちばん新しい会議"})");
  model.reload();
  CHECK(model.row(0) != nullptr);  // the old row stays on screen meanwhile
  CHECK(model.row(0)->id == first_before);
  settle(model, 0, 20);
  CHECK(model.state().total == 1001);
  CHECK(model.row(0)->title == "いちばん新しい会議");
  CHECK(model.row(1)->id == first_before);
}

TEST_CASE_METHOD(ListFixture, "with nothing asked, the list model indexes the full-text backlog an import left",
                 "[client][list]") {
  REQUIRE(*store->search_backlog() == 1000);  // the import stored its records and left their indexing
  RecordListModel model(data());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (*store->search_backlog() > 0) {
    if (std::chrono::steady_clock::now() > deadline) FAIL("the backlog was not indexed in 30 s");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  // And a search finds what the import brought.
  RecordQuery search;
  search.search = "服薬管理";
  model.request(search);
  settle(model, 0, 10);
  CHECK(model.state().total == static_cast<std::int64_t>(expected(search).size()));
  CHECK(model.state().total > 0);
}

TEST_CASE("the list model reports a data folder it cannot open", "[client][list]") {
  TempFolder folder;
  std::filesystem::create_directories(folder.path / "not-a-store");
  // The store's database file holds text, not SQLite.
  { std::ofstream(folder.path / "not-a-store" / Store::kFileName) << "this is not an SQLite database, just text"; }
  RecordListModel model(folder.path / "not-a-store");
  model.request(RecordQuery{});
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!model.state().loaded && std::chrono::steady_clock::now() < deadline) {
    model.poll();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  REQUIRE(model.state().loaded);
  CHECK(model.state().error.has_value());
  CHECK(model.state().total == 0);
}

}  // namespace tsunagi
