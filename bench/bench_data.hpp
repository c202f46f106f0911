// Deterministic benchmark records shaped like the peers' anchor documents (shared/bench/anchors/lib/gen.js): a
// Japanese title, 300 characters of Japanese text, 2-4 themes, 5 names. The anchors' documents are 1.27 KB of JSON;
// ours carry the same content in the record format, with its empty fields: about 1.5 KB.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "model/platform.hpp"
#include "model/record.hpp"

namespace tsunagi::bench {

class Rng {  // xorshift32, as the anchors use
 public:
  explicit Rng(std::uint32_t seed) : x_(seed ? seed : 0x9e3779b9u) {}
  std::uint32_t pick(std::uint32_t n) {
    x_ ^= x_ << 13;
    x_ ^= x_ >> 17;
    x_ ^= x_ << 5;
    return x_ % n;
  }

 private:
  std::uint32_t x_;
};

inline Record make_record(std::uint32_t index, std::uint32_t seed = 42) {
  static const char* kTitles[] = {"定例ミーティング", "ケースレビュー", "アウトリーチ訪問"};
  static const char* kAreas[] = {"東区", "博多区", "中央区", "南区", "城南区", "早良区", "西区"};
  static const char* kAreaIds[] = {"higashi", "hakata", "chuo", "minami", "jonan", "sawara", "nishi"};
  static const char* kSurnames[] = {"佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤"};
  static const char* kGiven[] = {"太郎", "花子", "健一", "美咲", "翔太", "陽子", "大輔", "由美"};
  // Records refer to the default reference data by id.
  static const char* kThemes[] = {"T01", "T02", "T03", "T04", "T05", "T06", "T07", "T08", "T09", "T10"};
  static const char* kPhrases[] = {"本日は地域包括支援センターと連携し、",
                                   "利用者の生活状況について聞き取りを行った。",
                                   "家族からの相談内容を整理し、",
                                   "次回の訪問日程を調整した。",
                                   "関係機関との情報共有を実施。",
                                   "課題として服薬管理と見守り体制の強化が挙げられた。",
                                   "ケース会議では支援方針を再確認した。",
                                   "住民向けの説明会を開催し、参加者から多くの質問が寄せられた。",
                                   "アウトリーチ活動として戸別訪問を行った。",
                                   "緊急連絡先の更新が必要である。",
                                   "経過観察を継続する。",
                                   "担当者間で役割分担を明確にした。",
                                   "記録は翌営業日までに共有すること。",
                                   "体調に大きな変化はみられなかった。",
                                   "福祉サービスの利用申請について説明した。",
                                   "次回までに必要書類を準備してもらう。"};
  Rng rng(seed ^ (index + 1) * 2654435761u);
  Record r;
  r.kind = static_cast<RecordKind>(rng.pick(3));
  char date[16];
  std::snprintf(date, sizeof date, "%04u-%02u-%02u", 2023 + rng.pick(2), 1 + rng.pick(12), 1 + rng.pick(28));
  r.date = date;
  r.start_time = "10:00";
  r.end_time = "11:30";
  const auto area = rng.pick(7);
  r.areas = {kAreaIds[area]};
  r.title = std::string(kTitles[static_cast<int>(r.kind)]) + "（" + kAreas[area] + "）第" +
            std::to_string(1 + rng.pick(50)) + "回";
  std::string text;
  while (text.size() < 900) text += kPhrases[rng.pick(16)];  // 300 three-byte characters
  text.resize(900);
  for (int k = 0; k < 5; ++k)
    r.organizations.push_back(std::string(kSurnames[rng.pick(10)]) + " " + kGiven[rng.pick(8)]);
  int themes = 2 + static_cast<int>(rng.pick(3));
  for (int k = 0; k < themes; ++k) {
    std::string theme = kThemes[rng.pick(10)];
    if (std::find(r.themes.begin(), r.themes.end(), theme) == r.themes.end()) r.themes.push_back(theme);
  }
  r.participant_count = 1 + static_cast<int>(rng.pick(30));
  r.author = std::string("staff-") + std::to_string(rng.pick(200));
  r.status = ReviewStatus::Submitted;
  switch (r.kind) {
    case RecordKind::Meeting:
      r.committees = {"consultation"};
      r.meeting.meeting_type = MeetingType::Committee;
      r.meeting.format = MeetingFormat::InPerson;
      r.meeting.minutes = text;
      break;
    case RecordKind::CaseReview:
      r.case_review.case_code = "A-" + std::to_string(index);
      r.case_review.review_type = ReviewType::CaseConference;
      r.case_review.issues = text;
      break;
    case RecordKind::Outreach:
      r.outreach.visit_type = VisitType::Home;
      r.outreach.place = "利用者宅";
      r.content = text;
      break;
    case RecordKind::Initiative:
      break;
  }
  return r;
}

inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

inline double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  std::size_t index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

inline double peak_rss_mb() { return platform::peak_memory_mb(); }

}  // namespace tsunagi::bench
