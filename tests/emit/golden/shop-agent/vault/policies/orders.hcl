path "secret/data/shop/orders/orders-db-password" {
  capabilities = ["read"]
}
