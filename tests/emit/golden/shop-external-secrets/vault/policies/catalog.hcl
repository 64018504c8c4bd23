path "secret/data/shop/catalog/catalog-db-password" {
  capabilities = ["read"]
}
