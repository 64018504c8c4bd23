path "secret/data/shop/notification/notification-db-password" {
  capabilities = ["read"]
}

path "secret/data/shop/notification/email-provider" {
  capabilities = ["read"]
}
