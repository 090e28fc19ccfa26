target_sources(esign_core PRIVATE
  src/ledger/ledger.cpp
  src/ledger/db_sqlite.cpp
  src/ledger/db_postgresql.cpp
  src/ledger/schema.cpp
  src/ledger/audit_chain.cpp
  src/ledger/anchors.cpp
  src/ledger/copy.cpp
  src/ledger/jobs.cpp
  src/ledger/users.cpp
)
