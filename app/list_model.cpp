#include "app/list_model.hpp"
#include "model/platform.hpp"

#include <algorithm>
#include <cstdlib>
#include <utility>

namespace tsunagi {

RecordListModel::RecordListModel(std::filesystem::path data_folder, std::function<void()> on_result)
    : data_folder_(std::move(data_folder)), on_result_(std::move(on_result)), worker_([this] { run_worker(); }) {}

RecordListModel::~RecordListModel() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  worker_.join();
}

void RecordListModel::request(RecordQuery query) {
  requested_ = std::move(query);
  requested_.limit = kPageSize;
  requested_.offset = 0;
  pages_.clear();
  stale_.clear();
  reload();
}

void RecordListModel::reload() {
  ++serial_;
  if (!pages_.empty()) stale_ = std::move(pages_);
  pages_.clear();
  asked_.clear();
  count_pending_ = true;
  visible_.loading = true;
  {
    std::lock_guard lock(mutex_);
    backlog_wanted_ = true;  // what changed (a sync, an import) may have left records to index
    jobs_.clear();  // everything waiting answers an older query
    jobs_.push_front(Job{serial_, requested_, -1});
  }
  enqueue_page(focus_page_);
  if (focus_page_ > 0) enqueue_page(0);
  wake_.notify_one();
}

void RecordListModel::reload_reference() {
  {
    std::lock_guard lock(mutex_);
    reference_wanted_ = true;
  }
  wake_.notify_one();
}

void RecordListModel::enqueue_page(int page) {
  if (page < 0 || pages_.contains(page) || asked_.contains(page)) return;
  if (!count_pending_ && visible_.loaded && static_cast<std::int64_t>(page) * kPageSize >= visible_.total)
    return;  // beyond the end
  asked_[page] = true;
  Job job{serial_, requested_, page};
  job.query.limit = kPageSize;
  job.query.offset = page * kPageSize;
  {
    std::lock_guard lock(mutex_);
    jobs_.push_back(std::move(job));
  }
  wake_.notify_one();
}

void RecordListModel::want_rows(std::int64_t first, std::int64_t last) {
  if (last <= first) return;
  const int first_page = static_cast<int>(first / kPageSize);
  const int last_page = static_cast<int>((last - 1) / kPageSize);
  focus_page_ = first_page;
  for (int page = first_page; page <= last_page; ++page) enqueue_page(page);
  // One page ahead either way, so that scrolling rarely meets a row still loading.
  enqueue_page(last_page + 1);
  enqueue_page(first_page - 1);
}

const RecordSummary* RecordListModel::row(std::int64_t index) const {
  if (index < 0) return nullptr;
  const int page = static_cast<int>(index / kPageSize);
  const auto at = static_cast<std::size_t>(index % kPageSize);
  for (const auto* pages : {&pages_, &stale_}) {
    auto it = pages->find(page);
    if (it != pages->end() && at < it->second.size()) return &it->second[at];
  }
  return nullptr;
}

void RecordListModel::evict_far_pages(int around) {
  while (pages_.size() > kCachedPages) {
    auto far = std::max_element(pages_.begin(), pages_.end(), [around](const auto& a, const auto& b) {
      return std::abs(a.first - around) < std::abs(b.first - around);
    });
    pages_.erase(far);
  }
  while (stale_.size() > kCachedPages) stale_.erase(std::prev(stale_.end()));
}

bool RecordListModel::poll() {
  std::vector<Answer> answers;
  std::shared_ptr<const ReferenceData> reference;
  {
    std::lock_guard lock(mutex_);
    answers.swap(answers_);
    if (reference_fresh_) {
      reference = reference_;
      reference_fresh_ = false;
    }
  }
  arrived_.clear();
  bool changed = false;
  if (reference) {
    visible_.reference = std::move(reference);
    changed = true;
  }
  std::vector<int> arrived_pages;
  for (Answer& answer : answers) {
    if (answer.serial != serial_) continue;  // answers an older query
    changed = true;
    if (answer.page < 0) {
      count_pending_ = false;
      visible_.loaded = true;
      visible_.query = requested_;
      visible_.error = std::move(answer.error);
      if (!visible_.error) visible_.total = answer.total;
      continue;
    }
    asked_.erase(answer.page);
    if (answer.error) {
      visible_.error = std::move(answer.error);
      pages_[answer.page] = {};  // not asked again until the next reload; the error shows why it is empty
      continue;
    }
    stale_.erase(answer.page);
    pages_[answer.page] = std::move(answer.rows);
    arrived_pages.push_back(answer.page);
  }
  if (!changed) return false;
  evict_far_pages(focus_page_);
  for (int page : arrived_pages)
    if (auto it = pages_.find(page); it != pages_.end())
      for (const RecordSummary& row : it->second) arrived_.push_back(&row);
  if (!count_pending_ && asked_.empty()) {
    visible_.loading = false;
    // Rows beyond the fresh total would be rows that no longer exist.
    std::erase_if(stale_, [this](const auto& entry) {
      return static_cast<std::int64_t>(entry.first) * kPageSize >= visible_.total;
    });
  }
  ++visible_.revision;
  return true;
}

void RecordListModel::run_worker() {
  std::unique_ptr<Store> store;  // this thread's own connection
  std::optional<Error> open_error;
  for (;;) {
    std::optional<Job> job;
    bool read_reference = false;
    bool index_backlog = false;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !jobs_.empty() || reference_wanted_ || backlog_wanted_; });
      if (stopping_) return;
      if (!jobs_.empty()) {
        job = std::move(jobs_.front());
        jobs_.pop_front();
      } else if (reference_wanted_) {
        read_reference = true;
        reference_wanted_ = false;
      } else {
        index_backlog = true;
      }
    }
    if (!store) {
      auto opened = Store::open(data_folder_);
      if (opened) {
        store = std::move(*opened);
        open_error.reset();
      } else {
        open_error = opened.error().with_context("open " + platform::path_to_utf8(data_folder_));
      }
    }
    if (index_backlog) {
      // A step is one short transaction (about 50 ms), so a page asked for meanwhile waits at most that long; and
      // it gives up at once while another connection writes (a sync, an import) rather than hold pages up.
      constexpr std::size_t kBacklogStep = 500;
      constexpr int kWaitMs = 20;
      auto indexed =
          store ? store->index_search_backlog_step(kBacklogStep, kWaitMs) : Result<std::size_t>(std::size_t{0});
      if (!indexed || *indexed < kBacklogStep) {  // done, or failing (busy): try again after the next reload
        std::lock_guard lock(mutex_);
        backlog_wanted_ = false;
      }
      continue;
    }
    if (read_reference) {
      if (!store) continue;
      auto reference = store->reference();
      std::lock_guard lock(mutex_);
      reference_ = std::make_shared<const ReferenceData>(reference ? std::move(*reference) : ReferenceData{});
      reference_fresh_ = true;
    } else {
      Answer answer;
      answer.serial = job->serial;
      answer.page = job->page;
      if (!store) {
        answer.error = open_error;
      } else if (job->page < 0) {
        auto total = store->count(job->query);
        if (total)
          answer.total = *total;
        else
          answer.error = total.error().with_context("count");
      } else {
        auto rows = store->list(job->query);
        if (rows)
          answer.rows = std::move(*rows);
        else
          answer.error = rows.error().with_context("list");
      }
      std::lock_guard lock(mutex_);
      answers_.push_back(std::move(answer));
    }
    if (on_result_) on_result_();
  }
}

}  // namespace tsunagi
