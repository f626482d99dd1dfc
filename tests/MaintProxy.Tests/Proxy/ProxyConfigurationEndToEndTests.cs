using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Proxy;

/// <summary>A <c>ReverseProxy</c> section the proxy cannot serve stops the start with the reason, naming the route or cluster.</summary>
public sealed class ProxyConfigurationEndToEndTests : EndToEndTest
{
    [Theory]
    [InlineData("ReverseProxy:Routes:app:ClusterId", "ap", "Route 'app': its ClusterId 'ap' names no cluster in ReverseProxy:Clusters")]
    [InlineData("ReverseProxy:Clusters:app:Metadata:Transport", "Gopher", "Cluster 'app': unknown transport 'Gopher' in metadata 'Transport'")]
    public async Task RouteOrClusterItCannotServe_RefusesToStartGivingTheReason(string key, string value, string reason)
    {
        var output = await ProxyProcess.StartRefusedAsync(Dir.Path, Backend.Url, new Dictionary<string, string> { [key] = value });

        Assert.Contains("MaintProxy cannot start:", output, StringComparison.Ordinal);
        Assert.Contains(reason, output, StringComparison.Ordinal);
    }

    // The shipped catch-all route app, and one added beside it on the command line: ASP.NET Core's routing
    // would answer every request 500 (AmbiguousMatchException).
    [Theory]
    [InlineData("/{**rest}", null)]
    [InlineData("{**catch-all}", "0")]
    [InlineData("/{*path}/", null)]
    public async Task TwoRoutesMatchingTheSameRequests_RefuseToStartNamingBoth(string path, string? order)
    {
        var settings = new Dictionary<string, string>
        {
            ["ReverseProxy:Routes:shop:ClusterId"] = "app",
            ["ReverseProxy:Routes:shop:Match:Path"] = path,
        };
        if (order is not null)
        {
            settings["ReverseProxy:Routes:shop:Order"] = order;
        }

        var output = await ProxyProcess.StartRefusedAsync(Dir.Path, Backend.Url, settings);

        Assert.Contains("MaintProxy cannot start:", output, StringComparison.Ordinal);
        Assert.Contains("Routes 'app' and 'shop' match the same requests", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RoutesThatDifferInHostsOrOrder_Start()
    {
        await using var proxy = await ProxyProcess.StartReadyAsync(Dir.Path, Backend.Url, new Dictionary<string, string>
        {
            ["ReverseProxy:Routes:shop:ClusterId"] = "app",
            ["ReverseProxy:Routes:shop:Match:Path"] = "{**catch-all}",
            ["ReverseProxy:Routes:shop:Match:Hosts:0"] = "shop.example",
            ["ReverseProxy:Routes:first:ClusterId"] = "app",
            ["ReverseProxy:Routes:first:Match:Path"] = "{**catch-all}",
            ["ReverseProxy:Routes:first:Order"] = "-1",
        });
        using var client = new HttpClient();

        Assert.Equal("backend ok /", await client.GetStringAsync(proxy.PublicUrl + "/"));
    }

    [Theory]
    [InlineData("ClientCertificate.Pth")]
    [InlineData("ClientCertificate.PasswordFile")]
    public async Task MisspeltClientCertificateMetadata_RefusesToStartNamingTheKey(string key)
    {
        // Taken as it was, the cluster presented no certificate, and the backend refused each handshake.
        var output = await ProxyProcess.StartRefusedAsync(Dir.Path, Backend.Url, new Dictionary<string, string>
        {
            ["ReverseProxy:Clusters:app:Metadata:" + key] = "client.pem",
        });

        Assert.Contains($"Cluster 'app': metadata '{key}' is not read; a client certificate is named with 'ClientCertificate.Path'", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SessionAffinityWithoutAPolicy_RefusesToStart_AsItsDefaultIsHashCookie()
    {
        // Taken as it was, every answer failed with 502: YARP's default HashCookie needs an assembly not shipped.
        var output = await ProxyProcess.StartRefusedAsync(Dir.Path, Backend.Url, new Dictionary<string, string>
        {
            ["ReverseProxy:Clusters:app:SessionAffinity:Enabled"] = "true",
            ["ReverseProxy:Clusters:app:SessionAffinity:AffinityKeyName"] = "shop",
        });

        Assert.Contains("Cluster 'app': session affinity without a Policy takes YARP's default 'HashCookie'", output, StringComparison.Ordinal);
        Assert.Contains("set ReverseProxy:Clusters:app:SessionAffinity:Policy to 'Cookie' or 'ArrCookie'", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("notaurl")]
    [InlineData("127.0.0.1:3000")]
    public async Task DestinationAddressNotAnHttpUrl_RefusesToStartNamingTheDestination(string address)
    {
        // Taken as it was, every request to it failed with an unhandled exception: a 500 logged as forwarded.
        var output = await ProxyProcess.StartRefusedAsync(Dir.Path, Backend.Url, new Dictionary<string, string>
        {
            ["ReverseProxy:Clusters:app:Destinations:app:Address"] = address,
        });

        Assert.Contains($"Cluster 'app': destination 'app' has the address '{address}': an HTTP cluster's addresses are absolute http:// or https:// URLs", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("-00:00:01")]
    [InlineData("30.00:00:00")]
    public async Task ActivityTimeoutOutOfRange_RefusesToStartNamingTheKey(string value)
    {
        // Taken as it was, every request failed: 504 at once for zero, 500 (an unhandled exception) for a negative.
        var output = await ProxyProcess.StartRefusedAsync(Dir.Path, Backend.Url, new Dictionary<string, string>
        {
            ["ReverseProxy:Clusters:app:HttpRequest:ActivityTimeout"] = value,
        });

        Assert.Contains($"ReverseProxy:Clusters:app:HttpRequest:ActivityTimeout must be from 00:00:00.001 to 1.00:00:00; it is {value}.", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("3", "3.0")]
    [InlineData("3.0", "3.0")]
    [InlineData("1.2", "1.2")]
    [InlineData("0.9", "0.9")]
    [InlineData("2.5", "2.5")]
    public async Task HttpRequestVersionNotSpoken_RefusesToStartNamingTheKeyAndTheAllowedValues(string value, string shown)
    {
        // Taken as it was, 3 fell back to HTTP/1.1 unseen (or 502 with RequestVersionExact): HTTP/3 needs QUIC.
        var output = await ProxyProcess.StartRefusedAsync(Dir.Path, Backend.Url, new Dictionary<string, string>
        {
            ["ReverseProxy:Clusters:app:HttpRequest:Version"] = value,
        });

        Assert.Contains($"ReverseProxy:Clusters:app:HttpRequest:Version must be 1.0, 1.1 or 2 (HTTP/3 needs QUIC, which MaintProxy does not set up); it is {shown}.", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("HttpRequest:Version", "garbage", "1.0, 1.1 or 2")]
    [InlineData("HttpRequest:VersionPolicy", "Exact", "RequestVersionOrLower, RequestVersionOrHigher or RequestVersionExact")]
    [InlineData("HttpRequest:ActivityTimeout", "100s", "a time span such as 00:01:40")]
    [InlineData("HttpRequest:AllowResponseBuffering", "yes", "true or false")]
    [InlineData("HttpClient:MaxConnectionsPerServer", "ten", "a whole number")]
    [InlineData("HttpClient:EnableMultipleHttp2Connections", "1", "true or false")]
    [InlineData("HttpClient:DangerousAcceptAnyServerCertificate", "", "true or false")]
    [InlineData("SessionAffinity:Enabled", "yes", "true or false")]
    [InlineData("HealthCheck:Active:Interval", "often", "a time span such as 00:01:40")]
    [InlineData("SessionAffinity:Cookie:SameSite", "bogus", "Unspecified, None, Lax or Strict")]
    [InlineData("SessionAffinity:Cookie:SecurePolicy", "https", "SameAsRequest, Always or None")]
    [InlineData("SessionAffinity:Cookie:Expiration", "soon", "a time span such as 00:01:40")]
    [InlineData("SessionAffinity:Cookie:HttpOnly", "yes", "true or false")]
    [InlineData("HttpClient:WebProxy:Address", "::bad", "an absolute URL such as http://proxy.example:3128")]
    public async Task ClusterValueYarpCannotConvert_RefusesToStartNamingTheKey(string key, string value, string expected)
    {
        // YARP's reader threw first: "The input string 'garbage' was not in a correct format.", no key named.
        var output = await ProxyProcess.StartRefusedAsync(Dir.Path, Backend.Url, new Dictionary<string, string>
        {
            [$"ReverseProxy:Clusters:app:{key}"] = value,
        });

        Assert.Contains($"ReverseProxy:Clusters:app:{key} must be {expected}; it is '{value}'.", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Order", "x", "a whole number")]
    [InlineData("MaxRequestBodySize", "big", "a whole number")]
    [InlineData("Timeout", "soon", "a time span such as 00:01:40")]
    [InlineData("Match:Headers:0:Mode", "bogus", "ExactHeader, HeaderPrefix, Contains, NotContains, Exists or NotExists")]
    [InlineData("Match:Headers:0:IsCaseSensitive", "yes", "true or false")]
    [InlineData("Match:QueryParameters:0:Mode", "Equals", "Exact, Contains, NotContains, Prefix or Exists")]
    [InlineData("Match:QueryParameters:0:IsCaseSensitive", "maybe", "true or false")]
    public async Task RouteValueYarpCannotConvert_RefusesToStartNamingTheKey(string key, string value, string expected)
    {
        // YARP's reader threw first: "The input string 'x' was not in a correct format.", no key named.
        var output = await ProxyProcess.StartRefusedAsync(Dir.Path, Backend.Url, new Dictionary<string, string>
        {
            [$"ReverseProxy:Routes:app:{key}"] = value,
        });

        Assert.Contains($"ReverseProxy:Routes:app:{key} must be {expected}; it is '{value}'.", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Clusters:app:HttpClient:MaxConectionsPerServer", "2", "ReverseProxy:Clusters:app:HttpClient:MaxConectionsPerServer is not a setting YARP reads")]
    [InlineData("Clusters:app:HttpClient:ClientCertificate:Path", "client.pfx", "ReverseProxy:Clusters:app:HttpClient:ClientCertificate is not a setting YARP reads")]
    [InlineData("Clusters:app:HttpClient:WebProxy:Adress", "http://127.0.0.1:3128/", "ReverseProxy:Clusters:app:HttpClient:WebProxy:Adress is not a setting YARP reads")]
    [InlineData("Clusters:app:HttpRequest:Versoin", "2", "ReverseProxy:Clusters:app:HttpRequest:Versoin is not a setting YARP reads")]
    [InlineData("Clusters:app:HttpClient:SslProtocols", "Tls12", "ReverseProxy:Clusters:app:HttpClient:SslProtocols is a list: set it item by item")]
    [InlineData("Clusters:app:HttpClinet:MaxConnectionsPerServer", "2", "ReverseProxy:Clusters:app:HttpClinet is not a setting YARP reads")]
    [InlineData("Clusters:app:HttpClient:SslProtocols:0", "Tls11", "ReverseProxy:Clusters:app:HttpClient:SslProtocols may name Tls12 and Tls13 only")]
    [InlineData("Clusters:app:SessionAffinity:Enabld", "true", "ReverseProxy:Clusters:app:SessionAffinity:Enabld is not a setting YARP reads")]
    [InlineData("Clusters:app:SessionAffinity:Cookie:Secur", "Always", "ReverseProxy:Clusters:app:SessionAffinity:Cookie:Secur is not a setting YARP reads")]
    [InlineData("Clusters:app:HealthCheck:Activ:Enabled", "true", "ReverseProxy:Clusters:app:HealthCheck:Activ is not a setting YARP reads")]
    [InlineData("Clusters:app:HealthCheck:Active:Intervl", "00:00:05", "ReverseProxy:Clusters:app:HealthCheck:Active:Intervl is not a setting YARP reads")]
    [InlineData("Clusters:app:HealthCheck:Active:Query", "?ready=1", "ReverseProxy:Clusters:app:HealthCheck:Active:Query is not a setting YARP reads")]
    [InlineData("Clusters:app:HealthCheck:Passive:Polcy", "TransportFailureRate", "ReverseProxy:Clusters:app:HealthCheck:Passive:Polcy is not a setting YARP reads")]
    [InlineData("Clusters:app:Destinations:app:Helth", "http://127.0.0.1:1/", "ReverseProxy:Clusters:app:Destinations:app:Helth is not a setting YARP reads, and would be ignored; ReverseProxy:Clusters:app:Destinations:app takes Address, Health, Host, Metadata")]
    [InlineData("Routes:app:Ordr", "1", "ReverseProxy:Routes:app:Ordr is not a setting YARP reads")]
    [InlineData("Routes:app:Match:Host", "shop.example.org", "ReverseProxy:Routes:app:Match:Host is not a setting YARP reads, and would be ignored; ReverseProxy:Routes:app:Match takes Path, Hosts, Methods, Headers, QueryParameters")]
    [InlineData("Routes:app:Match:Headers:0:IsCaseSensitiv", "true", "ReverseProxy:Routes:app:Match:Headers:0:IsCaseSensitiv is not a setting YARP reads")]
    [InlineData("Routes:app:Match:QueryParameters:0:Mod", "Exists", "ReverseProxy:Routes:app:Match:QueryParameters:0:Mod is not a setting YARP reads")]
    [InlineData("Route:shop:ClusterId", "app", "ReverseProxy:Route is not a setting YARP reads, and would be ignored; ReverseProxy takes Routes, Clusters")]
    public async Task RouteOrClusterSettingYarpWouldIgnore_RefusesToStartNamingTheKey(string key, string value, string reason)
    {
        // YARP skipped each of these silently, and the default stayed in force: "Match": { "Host": ... } let
        // the route take every site's requests.
        var settings = new Dictionary<string, string> { ["ReverseProxy:" + key] = value };
        if (key.Contains(":Match:Headers:", StringComparison.Ordinal) || key.Contains(":Match:QueryParameters:", StringComparison.Ordinal))
        {
            var entry = key[..(key.LastIndexOf(':') + 1)];
            settings["ReverseProxy:" + entry + "Name"] = "x-shop";
            settings["ReverseProxy:" + entry + "Values:0"] = "1";
        }

        var output = await ProxyProcess.StartRefusedAsync(Dir.Path, Backend.Url, settings);

        Assert.Contains(reason, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RouteAndClusterSettingsYarpReads_AreAccepted()
    {
        await using var proxy = await ProxyProcess.StartReadyAsync(Dir.Path, Backend.Url, new Dictionary<string, string>
        {
            ["ReverseProxy:Routes:app:Order"] = "1",
            ["ReverseProxy:Routes:app:Match:Methods:0"] = "GET",
            ["ReverseProxy:Routes:app:Match:Headers:0:Name"] = "X-Shop",
            ["ReverseProxy:Routes:app:Match:Headers:0:Mode"] = "Exists",
            ["ReverseProxy:Routes:app:Match:Headers:0:IsCaseSensitive"] = "false",
            ["ReverseProxy:Clusters:app:SessionAffinity:Enabled"] = "true",
            ["ReverseProxy:Clusters:app:SessionAffinity:Policy"] = "Cookie",
            ["ReverseProxy:Clusters:app:SessionAffinity:AffinityKeyName"] = "shop",
            ["ReverseProxy:Clusters:app:SessionAffinity:Cookie:SecurePolicy"] = "SameAsRequest",
            ["ReverseProxy:Clusters:app:HealthCheck:Passive:Enabled"] = "true",
            ["ReverseProxy:Clusters:app:HealthCheck:Passive:ReactivationPeriod"] = "00:00:10",
        });
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, proxy.PublicUrl + "/orders");
        request.Headers.Add("X-Shop", "1");

        using var response = await client.SendAsync(request);

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ClusterClientSettingsYarpReads_AreAccepted()
    {
        await using var proxy = await ProxyProcess.StartReadyAsync(Dir.Path, Backend.Url, new Dictionary<string, string>
        {
            ["ReverseProxy:Clusters:app:HttpClient:SslProtocols:0"] = "Tls12",
            ["ReverseProxy:Clusters:app:HttpClient:MaxConnectionsPerServer"] = "4",
            ["ReverseProxy:Clusters:app:HttpClient:WebProxy:BypassOnLocal"] = "true",
            ["ReverseProxy:Clusters:app:HttpRequest:Version"] = "1.1",
            ["ReverseProxy:Clusters:app:HttpRequest:VersionPolicy"] = "RequestVersionOrLower",
        });
        using var client = new HttpClient();

        using var response = await client.GetAsync(proxy.PublicUrl + "/orders");

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }
}
