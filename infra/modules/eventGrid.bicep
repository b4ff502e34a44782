// Event Grid system topic on the storage account: on Flex Consumption the blob trigger uses the
// Event Grid source (no container polling). The subscription itself is in dropSubscription.bicep.
param name string
param location string
param storageAccountName string

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource systemTopic 'Microsoft.EventGrid/systemTopics@2022-06-15' = {
  name: name
  location: location
  properties: {
    source: storage.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

output name string = systemTopic.name
