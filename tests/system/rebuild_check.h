#pragma once
// `microjobs rebuild` run on a stopped node's data directory must fold the log into a read store
// byte-equal to the live one. Needs MICROJOBS_BINARY (server_process.h).
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <string>

#include "infra/rocksdb/stores.h"
#include "server_process.h"

namespace microjobs::testing {

inline std::map<std::string, std::string> dump_read_store(const std::string& data_dir) {
  auto store = RocksReadStore::open(data_dir + "/read");
  EXPECT_TRUE(store.ok());
  std::map<std::string, std::string> all;
  if (!store.ok()) return all;
  (*store)->scan("", "", [&](std::string_view key, std::string_view value) {
    all.emplace(key, value);
    return true;
  });
  return all;
}

inline void expect_rebuild_reproduces_read_store(const std::string& data_dir) {
  const auto live = dump_read_store(data_dir);
  const std::string command = microjobs_binary() + " rebuild --data-dir " + data_dir + " > " +
                              data_dir + "/rebuild.log 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0);
  EXPECT_TRUE(dump_read_store(data_dir) == live) << "rebuild folds the log into the same read models";
}

}  // namespace microjobs::testing
