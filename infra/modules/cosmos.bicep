// Cosmos DB (NoSQL API) with Entra ID only: local (key) auth is disabled, the app uses a data-plane role.
//
// Capacity: serverless by default. Drops and refreshes come in bursts with long idle gaps between them,
// so paying per request beats provisioning throughput that mostly sits idle. Serverless is single-region
// and bursts to about 5,000 RU/s per physical partition; for sustained heavy traffic or multi-region,
// deploy with capacityMode 'autoscale' (throughput shared by the containers at database level).
//
// Partitioning: every container is partitioned by /partnerId, so a partner's data shares one logical
// partition: at most 20 GB and 10,000 RU/s each. A partner with hundreds of thousands of tenants and years
// of usage history can outgrow that. The plan for the largest partners is a hierarchical partition key
// (kind 'MultiHash', paths ['/partnerId', '/tenantId']) on partnerData and results: queries that carry
// the partnerId prefix still stay within that partner's partitions, while storage and throughput spread
// over tenants. A partition key cannot change in place: it means new containers and a copy of the data.
param accountName string
param location string
@description('Tags on every resource (azd-env-name: the azd environment).')
param tags object = {}
param databaseName string
@description('Containers as in shared/adapters/cosmosLayout.ts: [{ name, partitionKey }].')
param containers array
@allowed([
  'serverless'
  'autoscale'
])
param capacityMode string = 'serverless'
param autoscaleMaxThroughput int = 4000
@description('The app identity.')
param appPrincipalId string
@description('Optional operator (user or group), e.g. to issue the first API key with scripts/keys.ts; empty for none.')
param operatorPrincipalId string = ''

// Built-in data-plane role: Cosmos DB Built-in Data Contributor.
var dataContributorRoleId = '00000000-0000-0000-0000-000000000002'
var serverlessCapabilities = [
  {
    name: 'EnableServerless'
  }
]
var autoscaleOptions = {
  autoscaleSettings: {
    maxThroughput: autoscaleMaxThroughput
  }
}

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-05-15' = {
  name: accountName
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    locations: [
      {
        locationName: location
        failoverPriority: 0
        isZoneRedundant: false
      }
    ]
    consistencyPolicy: {
      defaultConsistencyLevel: 'Session'
    }
    disableLocalAuth: true
    // Databases and containers are declared here, never created by the app.
    disableKeyBasedMetadataWriteAccess: true
    capabilities: capacityMode == 'serverless' ? serverlessCapabilities : []
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-05-15' = {
  parent: account
  name: databaseName
  properties: {
    resource: {
      id: databaseName
    }
    options: capacityMode == 'autoscale' ? autoscaleOptions : {}
  }
}

resource sqlContainers 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-05-15' = [
  for container in containers: {
    parent: database
    name: container.name
    properties: {
      resource: {
        id: container.name
        partitionKey: {
          paths: [
            container.partitionKey
          ]
          kind: 'Hash'
          version: 2
        }
      }
    }
  }
]

resource appDataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-05-15' = {
  parent: account
  name: guid(account.id, appPrincipalId, dataContributorRoleId)
  properties: {
    roleDefinitionId: '${account.id}/sqlRoleDefinitions/${dataContributorRoleId}'
    principalId: appPrincipalId
    scope: account.id
  }
}

resource operatorDataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-05-15' = if (!empty(operatorPrincipalId)) {
  parent: account
  name: guid(account.id, operatorPrincipalId, dataContributorRoleId)
  properties: {
    roleDefinitionId: '${account.id}/sqlRoleDefinitions/${dataContributorRoleId}'
    principalId: operatorPrincipalId
    scope: account.id
  }
}

output endpoint string = account.properties.documentEndpoint
output name string = account.name
