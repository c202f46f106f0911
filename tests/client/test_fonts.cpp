// The UI font looked up in font folders, as on Windows (there without fontconfig): families in the order asked
// for, the face of a collection by its name, the preferred files first. Uses the Noto CJK collection that
// fonts-noto-cjk installs, copied into folders of the test's own (under Wine the same files, seen on Z:).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "app/fonts.hpp"
#include "tests/store_fixture.hpp"

namespace fs = std::filesystem;

namespace tsunagi {
namespace {

const fs::path kNotoCollection = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";
const fs::path kDejaVu = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

TEST_CASE("a font folder gives the face of the first family it has, by the names in the font", "[fonts]") {
  REQUIRE(fs::exists(kNotoCollection));
  TempFolder fonts;
  fs::copy_file(kNotoCollection, fonts.path / "NotoSansCJK-Regular.ttc");

  // The collection holds Japanese, Korean and Chinese faces: the one named is chosen, not the file's first.
  auto korean = find_font_in_folders({fonts.path}, {"Yu Gothic UI", "Noto Sans CJK KR"}, {});
  REQUIRE(korean);
  CHECK(korean->family == "Noto Sans CJK KR");
  CHECK(korean->index > 0);
  CHECK(korean->path == fonts.path / "NotoSansCJK-Regular.ttc");

  auto japanese = find_font_in_folders({fonts.path}, {"Meiryo", "Noto Sans CJK JP", "Noto Sans CJK KR"}, {});
  REQUIRE(japanese);
  CHECK(japanese->family == "Noto Sans CJK JP");
  CHECK(japanese->index != korean->index);

  CHECK_FALSE(find_font_in_folders({fonts.path}, {"Yu Gothic UI", "Meiryo", "MS Gothic"}, {}));
  CHECK_FALSE(find_font_in_folders({fonts.path / "none"}, {"Noto Sans CJK JP"}, {}));
}

TEST_CASE("a font folder: the family earlier in the list wins, and preferred files are read first", "[fonts]") {
  REQUIRE(fs::exists(kNotoCollection));
  REQUIRE(fs::exists(kDejaVu));
  TempFolder system, user;
  fs::copy_file(kNotoCollection, system.path / "a-noto.ttc");
  fs::copy_file(kDejaVu, user.path / "dejavu.ttf");
  fs::copy_file(kDejaVu, system.path / "not-a-font.txt");     // only font files are read
  std::ofstream(system.path / "broken.ttf") << "not a font";  // a broken file is passed over

  auto first = find_font_in_folders({system.path, user.path}, {"DejaVu Sans", "Noto Sans CJK JP"}, {});
  REQUIRE(first);
  CHECK(first->family == "DejaVu Sans");
  CHECK(first->path == user.path / "dejavu.ttf");

  // A preferred file that holds one of the families ends the search there, even when a better one is elsewhere.
  auto preferred = find_font_in_folders({system.path, user.path}, {"DejaVu Sans", "Noto Sans CJK JP"}, {"a-noto.ttc"});
  REQUIRE(preferred);
  CHECK(preferred->family == "Noto Sans CJK JP");
}

}  // namespace
}  // namespace tsunagi
