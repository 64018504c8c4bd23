path "secret/data/shop/payment/payments-db-password" {
  capabilities = ["read"]
}

path "secret/data/shop/payment/card-processor" {
  capabilities = ["read"]
}
