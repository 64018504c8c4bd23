path "secret/data/shop/web-bff/session-signing-key" {
  capabilities = ["read"]
}
