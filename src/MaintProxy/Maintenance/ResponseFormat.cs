namespace MaintProxy.Maintenance;

/// <summary>The three bodies a maintenance answer comes in, chosen by the request's <c>Accept</c>.</summary>
internal enum ResponseFormat
{
    Text,
    Html,
    Json,
}
