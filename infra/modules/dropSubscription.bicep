// BlobCreated on drops/ → the blob trigger's webhook. Deployed in a second pass, after the code is
// published (azd: the post-deploy hook, scripts/hooks/postdeploy.mjs; by hand: -p deployDropSubscription=true):
// the webhook key (the host's blobs_extension system key) exists only once the host has loaded a blob trigger,
// and Event Grid validates the endpoint when the subscription is created.
// Events it cannot deliver within the retry policy go to the dead-letter container; the drops themselves stay
// in drops/, where the sweep (SWEEP_SCHEDULE) finds and ingests them anyway.
param systemTopicName string
param functionAppName string
@description('The blob-triggered function (functions/ingest.ts).')
param functionName string
param containerName string
@description('The storage account whose container receives undeliverable events.')
param storageAccountName string
param deadLetterContainerName string

resource systemTopic 'Microsoft.EventGrid/systemTopics@2022-06-15' existing = {
  name: systemTopicName
}

resource app 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource subscription 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15' = {
  parent: systemTopic
  name: '${containerName}-to-${functionName}'
  properties: {
    destination: {
      endpointType: 'WebHook'
      properties: {
        // The key is read at deployment time from the running host; never written into a setting or an output.
        endpointUrl: 'https://${app.properties.defaultHostName}/runtime/webhooks/blobs?functionName=Host.Functions.${functionName}&code=${listKeys('${app.id}/host/default', '2024-04-01').systemKeys.blobs_extension}'
        maxEventsPerBatch: 1
      }
    }
    filter: {
      includedEventTypes: [
        'Microsoft.Storage.BlobCreated'
      ]
      subjectBeginsWith: '/blobServices/default/containers/${containerName}/blobs/'
    }
    eventDeliverySchema: 'EventGridSchema'
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
    // Written with the system topic's identity (eventGrid.bicep grants it the container): no storage key exists.
    deadLetterWithResourceIdentity: {
      identity: {
        type: 'SystemAssigned'
      }
      deadLetterDestination: {
        endpointType: 'StorageBlob'
        properties: {
          resourceId: storage.id
          blobContainerName: deadLetterContainerName
        }
      }
    }
  }
}

output name string = subscription.name
