#include "app/cli.hpp"

int main(int argc, char** argv) { return tsunagi::run_cli(argc, argv); }
