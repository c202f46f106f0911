# The third-party libraries, as one target per role, so that the modules link roles and not how a system ships
# them: Debian's packages (pkg-config) on Linux; on Windows (cross-built with mingw-w64) the static libraries
# scripts/build-windows.sh made from Debian's sources into $TSUNAGI_WIN_PREFIX.
#
#   dep_system     what the platform layer calls: SHA-256 (libcrypto; BCrypt on Windows), and on Windows the
#                  folders, registry (proxy) and console APIs; libsodium (the store's encryption, model/crypto)
#   dep_keyring    the desktop's secret store (model/keyring): libsecret on Linux; DPAPI (crypt32) on Windows
#   dep_zlib       gzip bodies (sync/gzip), both programs
#   dep_curl       the client's HTTPS transport (libcurl, zlib)
#   dep_server     the collector's TLS and HTTP server (OpenSSL, cpp-httplib); Linux only
#   dep_postgres   the collector's PostgreSQL store (libpq); Linux only
#   dep_xlsx       report workbooks (libxlsxwriter)
#   dep_ui         the window: Dear ImGui with its GLFW and OpenGL 3 backends, stb_truetype, GLFW, OpenGL, and the
#                  font lookup (fontconfig; the system's font folder on Windows)
#   dep_catch2     the unit-test framework (header only)
find_package(PkgConfig)
find_package(SQLite3 REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(Threads REQUIRED)

foreach(role system keyring zlib curl server postgres xlsx ui catch2)
  add_library(dep_${role} INTERFACE)
endforeach()

if(WIN32)
  set(ZLIB_USE_STATIC_LIBS ON)
  find_package(ZLIB REQUIRED)
  find_package(CURL CONFIG REQUIRED)
  find_package(glfw3 CONFIG REQUIRED)
  find_library(TSUNAGI_IMGUI_LIB imgui REQUIRED)
  find_library(TSUNAGI_STB_LIB stb REQUIRED)
  find_library(TSUNAGI_XLSX_LIB xlsxwriter REQUIRED)
  find_path(TSUNAGI_IMGUI_INCLUDE imgui.h PATH_SUFFIXES imgui REQUIRED)
  find_path(TSUNAGI_STB_INCLUDE stb_truetype.h PATH_SUFFIXES stb REQUIRED)
  find_path(TSUNAGI_XLSX_INCLUDE xlsxwriter.h REQUIRED)
  find_path(TSUNAGI_CATCH2_INCLUDE catch2/catch.hpp)

  find_library(TSUNAGI_SODIUM_LIB sodium REQUIRED)
  find_path(TSUNAGI_SODIUM_INCLUDE sodium.h REQUIRED)
  target_include_directories(dep_system SYSTEM INTERFACE ${TSUNAGI_SODIUM_INCLUDE})
  target_compile_definitions(dep_system INTERFACE SODIUM_STATIC)
  target_link_libraries(dep_system INTERFACE ${TSUNAGI_SODIUM_LIB} bcrypt ole32 shell32 uuid advapi32 crypt32)
  target_link_libraries(dep_zlib INTERFACE ZLIB::ZLIB)
  target_link_libraries(dep_curl INTERFACE CURL::libcurl ZLIB::ZLIB)
  target_include_directories(dep_xlsx SYSTEM INTERFACE ${TSUNAGI_XLSX_INCLUDE})
  target_link_libraries(dep_xlsx INTERFACE ${TSUNAGI_XLSX_LIB} ZLIB::ZLIB)
  target_include_directories(dep_ui SYSTEM INTERFACE ${TSUNAGI_IMGUI_INCLUDE} ${TSUNAGI_IMGUI_INCLUDE}/backends
                             ${TSUNAGI_STB_INCLUDE})
  # imm32: ImGui's default input-method hook (the candidate window at the caret); dwmapi, gdi32: GLFW.
  target_link_libraries(dep_ui INTERFACE ${TSUNAGI_IMGUI_LIB} ${TSUNAGI_STB_LIB} glfw opengl32 imm32 gdi32 dwmapi)
  if(TSUNAGI_CATCH2_INCLUDE)
    target_include_directories(dep_catch2 SYSTEM INTERFACE ${TSUNAGI_CATCH2_INCLUDE})
  endif()
else()
  pkg_check_modules(TSUNAGI_CRYPTO REQUIRED IMPORTED_TARGET libcrypto libsodium)
  pkg_check_modules(TSUNAGI_CURL REQUIRED IMPORTED_TARGET libcurl zlib)
  pkg_check_modules(TSUNAGI_SERVER REQUIRED IMPORTED_TARGET openssl zlib cpp-httplib)
  target_link_libraries(dep_system INTERFACE PkgConfig::TSUNAGI_CRYPTO)
  pkg_check_modules(TSUNAGI_KEYRING REQUIRED IMPORTED_TARGET libsecret-1)
  target_link_libraries(dep_keyring INTERFACE PkgConfig::TSUNAGI_KEYRING)
  pkg_check_modules(TSUNAGI_ZLIB REQUIRED IMPORTED_TARGET zlib)
  target_link_libraries(dep_zlib INTERFACE PkgConfig::TSUNAGI_ZLIB)
  target_link_libraries(dep_curl INTERFACE PkgConfig::TSUNAGI_CURL)
  target_link_libraries(dep_server INTERFACE PkgConfig::TSUNAGI_SERVER)
  pkg_check_modules(TSUNAGI_POSTGRES REQUIRED IMPORTED_TARGET libpq)
  target_link_libraries(dep_postgres INTERFACE PkgConfig::TSUNAGI_POSTGRES)
  if(TSUNAGI_BUILD_APP)
    pkg_check_modules(TSUNAGI_XLSX REQUIRED IMPORTED_TARGET xlsxwriter)
    pkg_check_modules(TSUNAGI_UI REQUIRED IMPORTED_TARGET imgui stb glfw3 fontconfig)
    find_package(OpenGL REQUIRED)
    target_link_libraries(dep_xlsx INTERFACE PkgConfig::TSUNAGI_XLSX)
    target_link_libraries(dep_ui INTERFACE PkgConfig::TSUNAGI_UI OpenGL::GL ${CMAKE_DL_LIBS})
  endif()
  if(TSUNAGI_BUILD_TESTS)
    find_package(Catch2 2 REQUIRED)
    target_link_libraries(dep_catch2 INTERFACE Catch2::Catch2)
  endif()
endif()
