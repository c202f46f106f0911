#include "app/list_model.hpp"

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
  query.limit = kPageSize;
  query.offset = 0;
  requested_ = query;
  ++requested_serial_;
  visible_.loading = true;
  {
    std::lock_guard lock(mutex_);
    pending_ = std::move(query);
    pending_serial_ = requested_serial_;
  }
  wake_.notify_one();
}

bool RecordListModel::poll() {
  std::optional<LoadResult> result;
  {
    std::lock_guard lock(mutex_);
    result.swap(finished_);
  }
  if (!result || result->serial != requested_serial_) return false;  // nothing new, or an answer to an old query
  visible_.loaded = true;
  visible_.loading = false;
  visible_.query = std::move(result->query);
  if (result->error) {
    visible_.error = std::move(result->error);
    return true;
  }
  visible_.error.reset();
  visible_.rows = std::move(result->rows);
  visible_.total = result->total;
  ++visible_.revision;
  return true;
}

RecordListModel::LoadResult RecordListModel::load(Store* store, const std::optional<Error>& open_error,
                                                  std::uint64_t serial, const RecordQuery& query) {
  LoadResult result;
  result.serial = serial;
  result.query = query;
  if (store == nullptr) {
    result.error = open_error;
    return result;
  }
  auto rows = store->list(query);
  if (!rows) {
    result.error = rows.error().with_context("list");
    return result;
  }
  auto total = store->count(query);
  if (!total) {
    result.error = total.error().with_context("count");
    return result;
  }
  result.rows = std::move(*rows);
  result.total = *total;
  return result;
}

void RecordListModel::run_worker() {
  std::unique_ptr<Store> store;  // this thread's own connection
  std::optional<Error> open_error;
  for (;;) {
    RecordQuery query;
    std::uint64_t serial = 0;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || pending_.has_value(); });
      if (stopping_) return;
      query = std::move(*pending_);
      pending_.reset();
      serial = pending_serial_;
    }
    if (!store) {
      auto opened = Store::open(data_folder_);
      if (opened) {
        store = std::move(*opened);
        open_error.reset();
      } else {
        open_error = opened.error().with_context("open " + data_folder_.string());
      }
    }
    LoadResult result = load(store.get(), open_error, serial, query);
    {
      std::lock_guard lock(mutex_);
      finished_ = std::move(result);
    }
    if (on_result_) on_result_();
  }
}

}  // namespace tsunagi
