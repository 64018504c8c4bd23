# API CatalogAdmin (port 8080) of catalog
Kind = "service-defaults"
Name = "catalog-catalogadmin"
Protocol = "http"
