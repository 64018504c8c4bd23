path "secret/data/shop/search/search-index-credentials" {
  capabilities = ["read"]
}
