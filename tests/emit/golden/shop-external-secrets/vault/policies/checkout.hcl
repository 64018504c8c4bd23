path "secret/data/shop/checkout/checkout-db-password" {
  capabilities = ["read"]
}
