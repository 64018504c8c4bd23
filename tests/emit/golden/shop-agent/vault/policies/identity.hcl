path "secret/data/shop/identity/customers-db-password" {
  capabilities = ["read"]
}

path "secret/data/shop/identity/sessions-redis-password" {
  capabilities = ["read"]
}

path "secret/data/shop/identity/jwt-signing-key" {
  capabilities = ["read"]
}
