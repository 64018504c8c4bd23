path "secret/data/shop/inventory/inventory-db-password" {
  capabilities = ["read"]
}
