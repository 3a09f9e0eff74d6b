def handler(event:, context:)
  { statusCode: 200, body: '{"ok":true}' }
end
