path "secret/data/shop/pricing/prices-db-password" {
  capabilities = ["read"]
}
