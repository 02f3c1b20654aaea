// The single Catch2 test binary's entry point; test files sit under tests/ by area.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
