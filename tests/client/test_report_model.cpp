// The reports screen's model: the reports of a scope computed on a worker over the demo records, the same as the
// model library computes them directly; a newer request supersedes an older one; a store that cannot be read is
// an error, not a crash.
#include <catch2/catch.hpp>

#include "model/platform.hpp"

#include <atomic>
#include <chrono>
#include <thread>

#include "app/report_model.hpp"
#include "tests/client/app_fixture.hpp"

namespace tsunagi {
namespace {

bool settle(ReportModel& model) {
  for (int i = 0; i < 500; ++i) {
    model.poll();
    if (!model.loading()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

}  // namespace

TEST_CASE_METHOD(DemoAppFixture, "the report model computes a scope's reports on a worker, as the library does",
                 "[client][report]") {
  std::atomic<int> woken{0};
  ReportModel model(folder.path / "data", [&woken] { ++woken; });
  CHECK_FALSE(model.results());
  const ReportScope scope{2024, "", true};
  model.request(scope);
  CHECK(model.loading());
  REQUIRE(settle(model));
  CHECK(woken >= 1);
  REQUIRE(model.results());
  CHECK_FALSE(model.error());

  auto expected = compute_reports(folder.path / "data", scope);
  REQUIRE(expected);
  const ReportResults& got = *model.results();
  CHECK(got.scope.fiscal_year == 2024);
  CHECK(indicator_report_json(got.indicators) == indicator_report_json(expected->indicators));
  CHECK(theme_report_json(got.themes, got.reference) == theme_report_json(expected->themes, expected->reference));
  CHECK_FALSE(got.themes.cells.empty());
  // Every record a figure names can be shown.
  for (const ThemeCell& cell : got.themes.cells)
    for (const std::string& id : cell.records) CHECK(model.record(id) != nullptr);

  // Two requests in a row: the answer shown is the newest one's, whichever finishes first.
  model.request({2023, "", false});
  model.request({2024, "", false});
  REQUIRE(settle(model));
  CHECK(model.results()->scope.fiscal_year == 2024);
  CHECK_FALSE(model.results()->scope.provisional);
}

TEST_CASE("the report model says why when the data folder cannot be read", "[client][report]") {
  TempFolder folder;
  const std::filesystem::path file = folder.path / "not-a-folder";
  std::FILE* f = std::fopen(tsunagi::platform::path_to_utf8(file).c_str(), "w");
  REQUIRE(f);
  std::fclose(f);
  ReportModel model(file);
  model.request({2024, "", false});
  REQUIRE(settle(model));
  CHECK_FALSE(model.results());
  CHECK(model.error());
}

}  // namespace tsunagi
