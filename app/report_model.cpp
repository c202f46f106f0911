#include "app/report_model.hpp"

#include <algorithm>
#include <chrono>

#include "model/store.hpp"

namespace tsunagi {

namespace {

constexpr int kIndicatorYearsBefore = 2;  // the earlier years beside each indicator

}  // namespace

Result<ReportResults> compute_reports(const std::filesystem::path& data_dir, const ReportScope& scope) {
  auto store = Store::open(data_dir);
  if (!store) return store.error();
  auto reference = (*store)->reference();
  if (!reference) return reference.error();
  auto records = report_records(**store, scope, scope.fiscal_year - kIndicatorYearsBefore);
  if (!records) return records.error();
  auto entries = report_entries_of(**store, scope, scope.fiscal_year - kIndicatorYearsBefore);
  if (!entries) return entries.error();
  ReportResults results;
  results.scope = scope;
  results.reference = *reference;
  results.entries = std::move(*entries);
  results.indicators = indicator_report(*records, results.reference, scope, kIndicatorYearsBefore, results.entries);
  results.committee = committee_report(*records, results.reference, scope);
  results.themes = theme_report(*records, results.reference, scope);
  results.progress = progress_report(*records, results.reference, scope, results.entries);
  auto years = (*store)->fiscal_years();
  if (!years) return years.error();
  results.years = std::move(*years);
  for (const Project& project : results.reference.projects) results.years.push_back(project.fiscal_year);
  for (const WorkItem& item : results.reference.work_items) results.years.push_back(item.fiscal_year);
  std::sort(results.years.rbegin(), results.years.rend());
  results.years.erase(std::unique(results.years.begin(), results.years.end()), results.years.end());
  results.records = std::move(*records);
  return results;
}

ReportModel::ReportModel(std::filesystem::path data_dir, std::function<void()> wake)
    : data_dir_(std::move(data_dir)), wake_(std::move(wake)) {}

ReportModel::~ReportModel() {
  for (auto& pending : pending_) pending.answer.wait();
}

void ReportModel::request(const ReportScope& scope) {
  scope_ = scope;
  pending_.push_back({++serial_, std::async(std::launch::async, [data_dir = data_dir_, scope, wake = wake_] {
                        auto results = compute_reports(data_dir, scope);
                        if (wake) wake();
                        return results;
                      })});
}

bool ReportModel::poll() {
  bool changed = false;
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->answer.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
      ++it;
      continue;
    }
    const bool newest = it->serial == serial_;
    auto answer = it->answer.get();
    it = pending_.erase(it);
    if (!newest) continue;  // superseded by a later request
    if (answer) {
      results_ = std::move(*answer);
      error_.reset();
    } else {
      error_ = answer.error();
    }
    changed = true;
  }
  return changed;
}

const Record* ReportModel::record(const std::string& id) const {
  if (!results_) return nullptr;
  for (const Record& record : results_->records)
    if (record.id == id) return &record;
  return nullptr;
}

}  // namespace tsunagi
