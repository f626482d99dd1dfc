namespace MaintProxy.Maintenance;

/// <summary>The page served when <c>maint/maint.html</c> cannot be read: plain, but still a planned 503.</summary>
internal static class BuiltInPage
{
    public static readonly byte[] Html = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <meta http-equiv="refresh" content="60"><title>Down for maintenance</title></head>
        <body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 4rem auto; padding: 0 1rem; line-height: 1.5">
        <h1>Down for maintenance</h1>
        <p>This site is briefly offline for planned maintenance. This page reloads itself; please try again in a few minutes.</p>
        </body></html>
        """u8.ToArray();
}
