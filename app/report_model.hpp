// The reports screen's state, without ImGui: the scope chosen (fiscal year, council, provisional) and the three
// reports computed for it on a worker thread, over a store connection of its own: a year of records is read and
// counted there, never on the UI thread. A newer request supersedes one still running.
#pragma once

#include <filesystem>
#include <functional>
#include <future>
#include <optional>
#include <vector>

#include "model/error.hpp"
#include "model/reference.hpp"
#include "model/report.hpp"

namespace tsunagi {

struct ReportResults {
  ReportScope scope;
  ReferenceData reference;
  IndicatorReport indicators;
  CommitteeReport committee;
  ThemeReport themes;
  ProgressReport progress;
  std::vector<ReportEntry> entries;  // every version of the report entries of the years shown
  std::vector<int> years;  // the fiscal years with records, projects or work items, newest first
  std::vector<Record> records;  // what the reports counted (the years the indicators look back over included)
};

// Computes every report of `scope` from the store in `data_dir` (blocking: for a worker thread).
Result<ReportResults> compute_reports(const std::filesystem::path& data_dir, const ReportScope& scope);

class ReportModel {
 public:
  // `wake` runs on the worker when a computation is done (the window redraws then).
  explicit ReportModel(std::filesystem::path data_dir, std::function<void()> wake = {});
  ~ReportModel();
  ReportModel(const ReportModel&) = delete;
  ReportModel& operator=(const ReportModel&) = delete;

  // Computes the reports of `scope` anew (the scope changed, or the records did).
  void request(const ReportScope& scope);
  // The scope shown before anything is computed (request(scope()) computes it).
  void set_scope(const ReportScope& scope) { scope_ = scope; }
  // Takes a finished computation for the newest request. True when what is shown changed.
  bool poll();

  bool loading() const { return !pending_.empty(); }
  const ReportScope& scope() const { return scope_; }
  // The newest results (of scope(), or of an earlier scope while it is computed); nullopt before the first.
  const std::optional<ReportResults>& results() const { return results_; }
  const std::optional<Error>& error() const { return error_; }
  // The counted record `id`, or null.
  const Record* record(const std::string& id) const;

 private:
  struct Pending {
    std::uint64_t serial;
    std::future<Result<ReportResults>> answer;
  };
  const std::filesystem::path data_dir_;
  const std::function<void()> wake_;
  ReportScope scope_;
  std::uint64_t serial_ = 0;
  std::vector<Pending> pending_;
  std::optional<ReportResults> results_;
  std::optional<Error> error_;
};

}  // namespace tsunagi
