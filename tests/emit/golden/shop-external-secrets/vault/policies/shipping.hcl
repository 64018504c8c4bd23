path "secret/data/shop/shipping/shipments-db-password" {
  capabilities = ["read"]
}

path "secret/data/shop/shipping/carrier" {
  capabilities = ["read"]
}
