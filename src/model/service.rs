//! Record types (`recid`) and what they mean to an analyst.

/// Every recid carepath accepts, with a plain-English name and whether the SLF counts its cost
/// in `health_net_cost` (DN, social care and DD are excluded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Service {
    pub recid: &'static str,
    pub name: &'static str,
    pub in_health_cost: bool,
    /// True for services recorded as intervals (stays, packages); false for contacts.
    pub interval: bool,
}

pub const SERVICES: [Service; 18] = [
    Service { recid: "01B", name: "Acute", in_health_cost: true, interval: true },
    Service { recid: "00B", name: "Outpatients", in_health_cost: true, interval: false },
    Service { recid: "02B", name: "Maternity", in_health_cost: true, interval: true },
    Service { recid: "04B", name: "Mental health", in_health_cost: true, interval: true },
    Service { recid: "GLS", name: "Geriatric long stay", in_health_cost: true, interval: true },
    Service { recid: "AE2", name: "A&E", in_health_cost: true, interval: false },
    Service { recid: "PIS", name: "Prescribing", in_health_cost: true, interval: false },
    Service { recid: "OoH", name: "GP out of hours", in_health_cost: true, interval: false },
    Service { recid: "DN", name: "District nursing", in_health_cost: false, interval: false },
    Service { recid: "CMH", name: "Community mental health", in_health_cost: false, interval: false },
    Service { recid: "DD", name: "Delayed discharge", in_health_cost: false, interval: true },
    Service { recid: "NRS", name: "Death", in_health_cost: false, interval: false },
    Service { recid: "NSU", name: "Non-service-user", in_health_cost: false, interval: false },
    Service { recid: "CH", name: "Care home", in_health_cost: false, interval: true },
    Service { recid: "HC", name: "Home care", in_health_cost: false, interval: true },
    Service { recid: "AT", name: "Alarms/telecare", in_health_cost: false, interval: true },
    Service { recid: "SDS", name: "Self-directed support", in_health_cost: false, interval: true },
    Service { recid: "HL1", name: "Homelessness", in_health_cost: false, interval: true },
];

pub fn service(recid: &str) -> Option<&'static Service> {
    SERVICES.iter().find(|s| s.recid == recid)
}

/// The recids whose cost makes up `health_net_cost` (SLF definition).
pub fn health_cost_recids() -> Vec<&'static str> {
    SERVICES.iter().filter(|s| s.in_health_cost).map(|s| s.recid).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn health_cost_excludes_dn_and_social_care() {
        let h = super::health_cost_recids();
        for r in ["DN", "CH", "HC", "AT", "SDS", "DD"] {
            assert!(!h.contains(&r), "{r} must not be in health_net_cost");
        }
        assert!(h.contains(&"01B") && h.contains(&"PIS") && h.contains(&"OoH"));
    }
}
