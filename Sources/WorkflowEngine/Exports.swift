// The engine speaks in JSON values: whoever imports the engine gets them too.
@_exported import WorkflowJSON
