// bench/store: the local store at 100,000 records of about 1.5 KB of JSON each.
// Prints bulk import rate (one file in one transaction, and in 10,000-record transactions), page query and full-text
// search latency, and file size, beside the targets (import >= 50,000 records/s, page query < 5 ms, search < 30 ms)
// and SQLite's raw insert rate on this machine, and beside the figures of an earlier commit
// (bench/baselines/store.tsv) with the ratio.
//
// Then the same store encrypted at rest (issue [10]: model/crypt_vfs) beside the plain one, from the same run: import,
// page query and search, and the slowdown (goal: under 15 %), and the passphrase's unlock (Argon2id with the
// parameters new key files get; goal: under 1 s).
//
// Usage: bench_store [N=100000] [folder]
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iterator>
#include <tuple>

#include "bench_data.hpp"
#include "model/database.hpp"
#include "model/encryption.hpp"
#include "model/record_json.hpp"
#include "model/store.hpp"

using namespace tsunagi;
using namespace tsunagi::bench;

namespace {

constexpr double kSqliteAnchorRowsPerSecond = 198606;  // shared/bench/anchors/RESULTS.md, WAL insert, 1,000 rows/txn

// Runs `query` `runs` times; returns the median and 99th percentile in milliseconds.
std::pair<double, double> time_queries(int runs, const std::function<void(int)>& query) {
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    auto start = std::chrono::steady_clock::now();
    query(i);
    ms.push_back(seconds_since(start) * 1000);
  }
  return {percentile(ms, 0.5), percentile(ms, 0.99)};
}

// The figures of an earlier commit (bench/baselines/store.tsv: "measure<TAB>value" lines, # comments), by measure.
std::map<std::string, double> previous_figures() {
  std::map<std::string, double> figures;
  std::ifstream in(std::filesystem::path(TSUNAGI_BENCH_DIR) / "baselines" / "store.tsv");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto tab = line.find('\t');
    if (tab != std::string::npos) figures[line.substr(0, tab)] = std::atof(line.c_str() + tab + 1);
  }
  return figures;
}

void row(const char* what, double value, const char* unit, const char* target, bool met) {
  static const std::map<std::string, double> previous = previous_figures();
  std::printf("  %-44s %12.2f %-10s %-14s %-8s", what, value, unit, target, met ? "met" : "NOT MET");
  if (auto it = previous.find(what); it != previous.end() && it->second > 0)
    std::printf(" %12.2f  %5.2fx", it->second, value / it->second);
  std::printf("\n");
}

// What one store (plain or encrypted) measured.
struct Figures {
  double import_rate = 0, paged_rate = 0, index_rate = 0, searchable_rate = 0;
  double page_median = 0, page_p99 = 0, status_median = 0, search_median = 0, search_p99 = 0;
  double short_median = 0, count_median = 0;
  std::uintmax_t file_bytes = 0;
};

// Imports `n` generated records into a new store in `folder` (encrypted when `passphrase` is given) and times the
// queries the screens ask.
Figures measure(const std::filesystem::path& folder, std::uint32_t n, const char* passphrase) {
  auto generate = [n] {
    std::vector<Record> records;
    records.reserve(n);
    for (std::uint32_t i = 0; i < n; ++i) records.push_back(make_record(i));
    return records;
  };
  // Imports `records` into a new store in `folder`, `batch` records per transaction; returns records/s.
  auto import = [passphrase](const std::filesystem::path& folder, std::vector<Record> records,
                             std::size_t batch) -> std::pair<std::unique_ptr<Store>, double> {
    if (passphrase) {
      encryption::UnlockOptions options;
      options.new_kdf = crypto::kTestKdf;  // the key file's cost is measured below, not here
      if (auto key = encryption::unlock_folder(folder, passphrase, options); !key) {
        std::fprintf(stderr, "%s\n", key.error().describe().c_str());
        std::exit(1);
      }
    }
    auto opened = Store::open(folder);
    if (!opened) {
      std::fprintf(stderr, "%s\n", opened.error().describe().c_str());
      std::exit(1);
    }
    auto start = std::chrono::steady_clock::now();
    for (std::size_t offset = 0; offset < records.size(); offset += batch) {
      auto first = records.begin() + static_cast<long>(offset);
      auto last = records.begin() + static_cast<long>(std::min(records.size(), offset + batch));
      auto written = (*opened)->import_records(
          std::vector<Record>(std::make_move_iterator(first), std::make_move_iterator(last)));
      if (!written) {
        std::fprintf(stderr, "import: %s\n", written.error().describe().c_str());
        std::exit(1);
      }
    }
    return {std::move(*opened), static_cast<double>(records.size()) / seconds_since(start)};
  };
  Figures f;
  // In 10,000-record transactions, as a store takes pages of a long pull: each commits into a store that grows.
  std::filesystem::path paged_folder = folder;
  paged_folder += "-paged";
  std::filesystem::remove_all(paged_folder);
  f.paged_rate = import(paged_folder, generate(), 10000).second;
  std::filesystem::remove_all(paged_folder);
  // One file in one transaction, as `tsunagi import FILE.json` does: the headline figure.
  auto [opened, import_rate] = import(folder, generate(), n);
  f.import_rate = import_rate;
  double import_seconds = n / import_rate;
  Store& store = *opened;

  // The full-text backlog the import left, indexed as the first search (or idle time) would.
  auto start = std::chrono::steady_clock::now();
  if (auto status = store.index_search_backlog(); !status) {
    std::fprintf(stderr, "index: %s\n", status.error().describe().c_str());
    std::exit(1);
  }
  double index_seconds = seconds_since(start);
  f.index_rate = n / index_seconds;
  f.searchable_rate = n / (import_seconds + index_seconds);

  // A filtered page: one fiscal year and kind, newest first, 100 rows at varying offsets (what the list screen asks).
  std::tie(f.page_median, f.page_p99) = time_queries(200, [&](int i) {
    RecordQuery query;
    query.fiscal_year = 2023;
    query.kind = static_cast<RecordKind>(i % 3);
    query.limit = 100;
    query.offset = (i * 100) % 5000;
    auto rows = store.list(query);
    if (!rows || rows->empty()) std::abort();
  });
  f.status_median = time_queries(200, [&](int i) {
    RecordQuery query;
    query.area = i % 2 ? "東区" : "西区";
    query.theme = "T03";  // by id, as records store it (by name resolves to the same)
    query.limit = 100;
    auto rows = store.list(query);
    if (!rows || rows->empty()) std::abort();
  }).first;
  const char* searches[] = {"服薬管理", "グループホーム", "見守り体制の強化", "戸別訪問", "緊急連絡先"};
  std::tie(f.search_median, f.search_p99) = time_queries(100, [&](int i) {
    RecordQuery query;
    query.search = searches[i % 5];
    query.limit = 100;
    auto rows = store.list(query);
    if (!rows) std::abort();
  });
  f.short_median = time_queries(20, [&](int i) {
    RecordQuery query;
    query.search = i % 2 ? "服薬" : "訪問";
    query.limit = 100;
    auto rows = store.list(query);
    if (!rows) std::abort();
  }).first;
  f.count_median = time_queries(50, [&](int) {
    RecordQuery query;
    query.search = "服薬管理";
    auto total = store.count(query);
    if (!total) std::abort();
  }).first;

  opened.reset();
  for (const auto& entry : std::filesystem::directory_iterator(folder))
    if (entry.is_regular_file()) f.file_bytes += entry.file_size();
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  log_sqlite_errors_if_asked();  // TSUNAGI_SQLITE_LOG=1
  std::uint32_t n = argc > 1 ? static_cast<std::uint32_t>(std::atoi(argv[1])) : 100000;
  std::filesystem::path folder =
      argc > 2 ? argv[2]
               : std::filesystem::temp_directory_path() / ("tsunagi-bench-store-" + std::to_string(::getpid()));
  std::filesystem::remove_all(folder);
  std::filesystem::path encrypted_folder = folder;
  encrypted_folder += "-encrypted";
  std::filesystem::remove_all(encrypted_folder);

  std::size_t json_bytes = 0;
  for (std::uint32_t i = 0; i < std::min<std::uint32_t>(n, 1000); ++i)
    json_bytes += record_to_json(make_record(i)).dump().size();
  std::printf("bench/store: %u records, about %zu bytes of JSON each\n", n,
              json_bytes / std::min<std::uint32_t>(n, 1000));

  const Figures f = measure(folder, n, nullptr);
  std::printf("\n  %-44s %12s %-10s %-14s %-8s %12s  %s\n", "measure", "value", "unit", "target", "",
              "previous", "ratio");
  row("bulk import of one file (tsunagi import)", f.import_rate, "records/s", ">= 50,000", f.import_rate >= 50000);
  row("import in 10,000-record transactions", f.paged_rate, "records/s", "", true);
  row("full-text indexing of the import's backlog", f.index_rate, "records/s", "", true);
  row("import + indexing: searchable", f.searchable_rate, "records/s", "", true);
  row("page query, FY + kind, 100 rows: median", f.page_median, "ms", "< 5", f.page_median < 5);
  row("page query, FY + kind, 100 rows: p99", f.page_p99, "ms", "", true);
  row("page query, area + theme, 100 rows: median", f.status_median, "ms", "< 5", f.status_median < 5);
  row("full-text search, 3+ characters: median", f.search_median, "ms", "< 30", f.search_median < 30);
  row("full-text search, 3+ characters: p99", f.search_p99, "ms", "", true);
  row("search, 2 characters (no trigram): median", f.short_median, "ms", "", true);
  row("count of a search's matches: median", f.count_median, "ms", "", true);
  row("file size (db + wal)", static_cast<double>(f.file_bytes) / 1e6, "MB", "", true);
  row("file size per record", static_cast<double>(f.file_bytes) / n, "bytes", "", true);
  row("peak memory", peak_rss_mb(), "MB", "", true);
  std::printf("\n  ratio: import rate / SQLite raw WAL insert (%.0f rows/s) = %.2f\n", kSqliteAnchorRowsPerSecond,
              f.import_rate / kSqliteAnchorRowsPerSecond);
  std::printf("  ratio: searchable rate / SQLite raw WAL insert = %.2f\n",
              f.searchable_rate / kSqliteAnchorRowsPerSecond);
  std::filesystem::remove_all(folder);

  // The same, encrypted at rest.
  const char* passphrase = "bench passphrase つなぎ";
  const Figures e = measure(encrypted_folder, n, passphrase);
  std::printf("\n  encrypted at rest (XChaCha20-Poly1305 per page) beside plain, this run; goal: under 15 %% slower\n");
  std::printf("  %-44s %12s %12s %-10s %9s %-8s\n", "measure", "plain", "encrypted", "unit", "slower", "");
  auto slower = [](const char* what, double plain, double encrypted, const char* unit, bool rate) {
    const double cost = rate ? plain / encrypted - 1 : encrypted / plain - 1;  // as time taken, either way
    std::printf("  %-44s %12.2f %12.2f %-10s %8.1f%% %-8s\n", what, plain, encrypted, unit, cost * 100,
                cost < 0.15 ? "met" : "NOT MET");
  };
  slower("bulk import of one file", f.import_rate, e.import_rate, "records/s", true);
  slower("import in 10,000-record transactions", f.paged_rate, e.paged_rate, "records/s", true);
  slower("import + indexing: searchable", f.searchable_rate, e.searchable_rate, "records/s", true);
  slower("page query, FY + kind, 100 rows: median", f.page_median, e.page_median, "ms", false);
  slower("page query, area + theme, 100 rows: median", f.status_median, e.status_median, "ms", false);
  slower("full-text search, 3+ characters: median", f.search_median, e.search_median, "ms", false);
  slower("count of a search's matches: median", f.count_median, e.count_median, "ms", false);
  std::printf("  %-44s %12.2f %12.2f %-10s\n", "file size (db + wal)", f.file_bytes / 1e6, e.file_bytes / 1e6, "MB");

  // Unlocking: the key file read and Argon2id with the parameters a new passphrase gets.
  std::filesystem::path unlock_folder = folder;
  unlock_folder += "-unlock";
  std::filesystem::remove_all(unlock_folder);
  encryption::UnlockOptions options;
  options.new_kdf = crypto::kDefaultKdf;
  if (!encryption::unlock_folder(unlock_folder, passphrase, options)) return 1;
  std::vector<double> unlock_ms;
  for (int i = 0; i < 5; ++i) {
    auto begun = std::chrono::steady_clock::now();
    if (!encryption::open_key_file(unlock_folder, passphrase)) return 1;
    unlock_ms.push_back(seconds_since(begun) * 1000);
  }
  const double unlock = percentile(unlock_ms, 0.5);
  std::printf("  %-44s %12.0f %-10s %-14s %-8s\n", "unlock: Argon2id (3 passes, 128 MiB): median", unlock, "ms",
              "< 1000", unlock < 1000 ? "met" : "NOT MET");
  std::filesystem::remove_all(unlock_folder);
  std::filesystem::remove_all(encrypted_folder);
  return 0;
}
