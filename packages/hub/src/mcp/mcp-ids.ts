/**
 * Wire id of the Remote MCP Server integration: aiXplain's own id for it, kept so that clients
 * which special-case it at connect time (aiXplain's v1 `Integration.connect`, our SDK) work.
 */
export const MCP_INTEGRATION_MODEL_ID = '686eb9cd26480723d0634d3e'
