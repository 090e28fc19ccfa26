target_sources(esign_core PRIVATE
  src/http/http.cpp
)
