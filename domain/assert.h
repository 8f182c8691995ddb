#pragma once
// MJ_ASSERT: a check for programmer errors that stays on in release builds (TigerBeetle's
// "assertions are a force multiplier"). It is never a way to validate input: user input is
// refused with a Rejection or a problem+json long before it could reach an assertion.
#include <cstdio>
#include <cstdlib>

#define MJ_ASSERT(condition)                                                              \
  do {                                                                                    \
    if (!(condition)) [[unlikely]] {                                                      \
      std::fprintf(stderr, "%s:%d: assertion failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                       \
    }                                                                                     \
  } while (false)
